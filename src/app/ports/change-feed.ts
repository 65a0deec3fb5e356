import type { StoredEvent } from './persistence.js';

/** Tells waiters in this process that events committed (long-poll, streams, metrics). */
export interface ChangeFeed {
  publish(events: StoredEvent[]): void;
  /** Calls `listener` for each committed event of `objectId` until the returned function is called. */
  subscribe(objectId: string, listener: (event: StoredEvent) => void): () => void;
  subscribeAll(listener: (event: StoredEvent) => void): () => void;
}
