-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "analysis_runs" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "input" JSONB NOT NULL,
    "result" JSONB,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stages" JSONB NOT NULL,
    "stageIndex" INTEGER,
    "stepCurrent" INTEGER,
    "stepTotal" INTEGER,
    "message" TEXT,
    "etaMs" INTEGER,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "cancelReason" TEXT,
    "idempotencyKey" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "maxAttempts" INTEGER NOT NULL DEFAULT 1,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "workerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3),

    CONSTRAINT "analysis_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analysis_run_events" (
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "patch" JSONB NOT NULL,

    CONSTRAINT "analysis_run_events_pkey" PRIMARY KEY ("runId","seq")
);

-- CreateIndex
CREATE INDEX "analysis_runs_ownerId_createdAt_id_idx" ON "analysis_runs"("ownerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "analysis_runs_ownerId_kind_createdAt_id_idx" ON "analysis_runs"("ownerId", "kind", "createdAt", "id");

-- CreateIndex
CREATE INDEX "analysis_runs_status_createdAt_id_idx" ON "analysis_runs"("status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "analysis_runs_status_heartbeatAt_idx" ON "analysis_runs"("status", "heartbeatAt");

-- CreateIndex
CREATE UNIQUE INDEX "analysis_runs_ownerId_idempotencyKey_key" ON "analysis_runs"("ownerId", "idempotencyKey");

-- AddForeignKey
ALTER TABLE "analysis_run_events" ADD CONSTRAINT "analysis_run_events_runId_fkey" FOREIGN KEY ("runId") REFERENCES "analysis_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
