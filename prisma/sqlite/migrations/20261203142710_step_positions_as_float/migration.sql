-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_analysis_runs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "input" JSONB NOT NULL,
    "result" JSONB,
    "progress" REAL NOT NULL DEFAULT 0,
    "stages" JSONB NOT NULL,
    "stageIndex" INTEGER,
    "stepCurrent" REAL,
    "stepTotal" REAL,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME
);
INSERT INTO "new_analysis_runs" ("attempt", "cancelReason", "cancelRequested", "createdAt", "errorCode", "errorMessage", "etaMs", "finishedAt", "heartbeatAt", "id", "idempotencyKey", "input", "kind", "maxAttempts", "message", "ownerId", "progress", "result", "seq", "stageIndex", "stages", "startedAt", "status", "stepCurrent", "stepTotal", "updatedAt", "workerId") SELECT "attempt", "cancelReason", "cancelRequested", "createdAt", "errorCode", "errorMessage", "etaMs", "finishedAt", "heartbeatAt", "id", "idempotencyKey", "input", "kind", "maxAttempts", "message", "ownerId", "progress", "result", "seq", "stageIndex", "stages", "startedAt", "status", "stepCurrent", "stepTotal", "updatedAt", "workerId" FROM "analysis_runs";
DROP TABLE "analysis_runs";
ALTER TABLE "new_analysis_runs" RENAME TO "analysis_runs";
CREATE INDEX "analysis_runs_ownerId_createdAt_id_idx" ON "analysis_runs"("ownerId", "createdAt", "id");
CREATE INDEX "analysis_runs_ownerId_kind_createdAt_id_idx" ON "analysis_runs"("ownerId", "kind", "createdAt", "id");
CREATE INDEX "analysis_runs_status_createdAt_id_idx" ON "analysis_runs"("status", "createdAt", "id");
CREATE INDEX "analysis_runs_status_heartbeatAt_idx" ON "analysis_runs"("status", "heartbeatAt");
CREATE UNIQUE INDEX "analysis_runs_ownerId_idempotencyKey_key" ON "analysis_runs"("ownerId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
