import { coalescableEventTypes } from '../../shared/events.ts';
import type { ProgressEvent } from './interfaces.ts';

/**
 * Buffers live events for one subscriber. When the subscriber falls behind by
 * more than `coalesceAfter` events, a new progress or heartbeat event replaces
 * the buffered one before it instead of queueing: the later snapshot carries
 * everything the dropped one said. Stage changes and terminal events are never dropped.
 */
export class EventQueue {
  private readonly items: ProgressEvent[] = [];
  private waiter: ((event: ProgressEvent | null) => void) | null = null;
  private closed = false;
  coalesced = 0;

  constructor(private readonly coalesceAfter = 32) {}

  push(event: ProgressEvent): void {
    if (this.closed) return;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(event);
      return;
    }
    const last = this.items.at(-1);
    if (
      this.items.length >= this.coalesceAfter &&
      last &&
      coalescableEventTypes.includes(last.type) &&
      coalescableEventTypes.includes(event.type)
    ) {
      this.items[this.items.length - 1] = event;
      this.coalesced++;
      return;
    }
    this.items.push(event);
  }

  /** The next event, or null once closed (e.g. the subscriber went away). */
  next(): Promise<ProgressEvent | null> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  close(): void {
    this.closed = true;
    this.items.length = 0;
    const wake = this.waiter;
    this.waiter = null;
    wake?.(null);
  }
}
