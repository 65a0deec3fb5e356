// Long-polling, once: re-read whenever something changed in this process, and at least every
// second (so other processes' commits are seen), until the value is what the caller waits for,
// the time is up (real time: a client is waiting), or the caller went away.

export interface WaitUntil<T> {
  read: () => Promise<T>;
  /** The value waited for: the wait ends as soon as a read satisfies it. */
  done: (value: T) => boolean;
  waitMs: number;
  /** Calls `wake` when something the value may depend on changed; returns the unsubscribe. */
  subscribe: (wake: () => void) => () => void;
  /** Ends the wait early (client disconnected, server closing). */
  signal?: AbortSignal;
  /** A value already read, to start from instead of reading again. */
  first?: T;
}

function nextWake(deadline: number, subscribe: WaitUntil<unknown>['subscribe'], signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
    const unsubscribe = subscribe(done);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export async function waitUntil<T>(options: WaitUntil<T>): Promise<T> {
  let value = options.first ?? (await options.read());
  const deadline = Date.now() + options.waitMs;
  while (!options.done(value) && Date.now() < deadline && !options.signal?.aborted) {
    await nextWake(deadline, options.subscribe, options.signal);
    if (options.signal?.aborted) break;
    value = await options.read();
  }
  return value;
}
