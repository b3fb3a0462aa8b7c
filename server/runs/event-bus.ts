import type { ProgressEvent } from './interfaces.ts';

export type EventListener = (event: ProgressEvent) => void;

/** Carries published events to subscribers of a run. In-memory now; a NOTIFY-backed one can replace it. */
export interface RunEventBus {
  publish(event: ProgressEvent): void;
  /** returns the unsubscribe function */
  subscribe(runId: string, listener: EventListener): () => void;
  subscriberCount(runId?: string): number;
}

export class InMemoryEventBus implements RunEventBus {
  private readonly listeners = new Map<string, Set<EventListener>>();

  publish(event: ProgressEvent): void {
    const set = this.listeners.get(event.runId);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  subscribe(runId: string, listener: EventListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }

  subscriberCount(runId?: string): number {
    if (runId !== undefined) return this.listeners.get(runId)?.size ?? 0;
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
