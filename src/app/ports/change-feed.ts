import type { StoredEvent } from './store.js';

/** Tells waiters in this process that events committed (long-poll, streams, metrics). */
export interface ChangeFeed {
  publish(events: StoredEvent[]): void;
  /** Calls `listener` for each committed event of `objectId` until the returned function is called. */
  subscribe(objectId: string, listener: (event: StoredEvent) => void): () => void;
  subscribeAll(listener: (event: StoredEvent) => void): () => void;
}

export function createChangeFeed(): ChangeFeed {
  const byObject = new Map<string, Set<(event: StoredEvent) => void>>();
  const all = new Set<(event: StoredEvent) => void>();
  return {
    publish(events) {
      for (const event of events) {
        for (const listener of all) listener(event);
        for (const listener of byObject.get(event.objectId) ?? []) listener(event);
        if (event.objectId !== event.paymentRequestId) for (const listener of byObject.get(event.paymentRequestId) ?? []) listener(event);
      }
    },
    subscribe(objectId, listener) {
      let set = byObject.get(objectId);
      if (!set) byObject.set(objectId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) byObject.delete(objectId);
      };
    },
    subscribeAll(listener) {
      all.add(listener);
      return () => all.delete(listener);
    },
  };
}
