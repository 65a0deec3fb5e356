import type { ChangeFeed } from '../app/ports/change-feed.js';
import type { StoredEvent } from '../app/ports/persistence.js';

/** In-process fan-out of committed events. */
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
