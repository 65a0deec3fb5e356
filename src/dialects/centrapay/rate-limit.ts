// Centrapay's rate limit: so many calls per merchant account per minute (fixed one-minute windows
// on the merchant's clock, so a test can move past one). Counted per process.
export interface RateLimiter {
  /** Counts a call; returns the seconds to wait when it is over the limit, else null. */
  take(account: string, now: number): number | null;
}

const WINDOW_MS = 60_000;

export function createRateLimiter(perMinute: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(account, now) {
      const start = now - (now % WINDOW_MS);
      const window = windows.get(account);
      if (!window || window.start !== start) {
        // old windows go as soon as their account calls again; prune the rest now and then
        if (windows.size > 10_000) for (const [key, w] of windows) if (w.start !== start) windows.delete(key);
        windows.set(account, { start, count: 1 });
        return null;
      }
      window.count += 1;
      return window.count > perMinute ? Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000)) : null;
    },
  };
}
