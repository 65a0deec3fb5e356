// A store's reads outside a transaction, each failure turned into the port's terms (a database
// away becomes StorageUnavailable). Built once per store, method by method: a Proxy would make a
// closure on every call, and `read` is on every request's path.

/** `target` with every method's failure (thrown or rejected) passed through `map`. */
export function mappingErrors<T extends object>(target: T, map: (error: unknown) => unknown): T {
  const wrapped: Record<string, unknown> = Object.create(null);
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = (target as Record<string, unknown>)[name];
      if (name === 'constructor' || Object.hasOwn(wrapped, name) || typeof method !== 'function') continue;
      wrapped[name] = (...args: unknown[]) => {
        try {
          const result: unknown = method.apply(target, args);
          return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(map(error))) : result;
        } catch (error) {
          throw map(error);
        }
      };
    }
  }
  return wrapped as T;
}
