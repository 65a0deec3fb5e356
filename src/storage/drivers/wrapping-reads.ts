// A store's reads outside a transaction, each failure turned into the port's terms (a database
// away becomes StorageUnavailable) and, where COMMIT does not wait for the disk (SQLite:
// wal-sync.ts), each answer held until what it may have seen is durable. Built once per store,
// method by method: a Proxy would make a closure on every call, and `read` is on every request's path.

/**
 * `target` with every method's failure (thrown or rejected) passed through `mapError`, and its
 * answer given once `durable()` (asked when the read has returned, not when it began: a COMMIT
 * made while it ran may be what it saw) has resolved.
 */
export function wrappingReads<T extends object>(target: T, mapError: (error: unknown) => unknown, durable?: () => Promise<void> | null): T {
  const wrapped: Record<string, unknown> = Object.create(null);
  const failed = (error: unknown) => Promise.reject(mapError(error));
  const settled = (value: unknown) => {
    const waiting = durable!();
    return waiting ? waiting.then(() => value) : value;
  };
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = (target as Record<string, unknown>)[name];
      if (name === 'constructor' || Object.hasOwn(wrapped, name) || typeof method !== 'function') continue;
      wrapped[name] = (...args: unknown[]) => {
        try {
          const result: unknown = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return (durable ? result.then(settled) : result).catch(failed);
        } catch (error) {
          throw mapError(error);
        }
      };
    }
  }
  return wrapped as T;
}
