import type { App } from './context.js';

/**
 * Resolves when `objectId` changes in this process, after at most one second (so commits of other
 * processes are seen by re-reading), or at `deadline` (epoch ms, real time): one step of a long-poll.
 */
export function nextChangeOrSecond(app: App, objectId: string, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
    const unsubscribe = app.feed.subscribe(objectId, done);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}
