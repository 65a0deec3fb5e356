// Named prepared statements on PostgreSQL: pg then sends a statement's text to be parsed and
// analysed once per connection, and afterwards only its values. posgate's hot path is a few dozen
// texts run again and again (the compiled queries of ../compiled.ts); where PostgreSQL shares the
// cores with posgate, parsing each of them anew held creates about a fifth lower.
//
// What a named statement brings that an unnamed one does not, handled here:
// - A text is prepared on its second use, and a connection prepares a bounded number (`max`):
//   texts run once (a report's own bounds, IN lists of every length) neither take the places of
//   the hot ones nor grow the server's memory without end.
// - A table altered under a prepared `select *` (a migration by a newer release while this process
//   still runs) makes PostgreSQL refuse the statement at Bind, before it runs: "cached plan must not
//   change result type" (0A000). The connection then forgets its names, so that what it runs next
//   is prepared afresh, and frees the old ones on the server (DEALLOCATE ALL, outside a
//   transaction). Outside a transaction the statement is run again at once, unnamed; inside one,
//   the error has ended the transaction, and the driver runs the transaction again (postgres.ts).
// - Statements without values (BEGIN, COMMIT, SET) run unnamed, as before.

type Query = (...args: unknown[]) => unknown;

/** How many statement texts one connection prepares at most. */
export const MAX_PREPARED_PER_CONNECTION = 100;
/** How many texts seen once are remembered (to be prepared on their second use). */
const SEEN_ONCE_LIMIT = 1000;

/** PostgreSQL's refusal of a prepared statement whose table changed shape since it was prepared. */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; routine?: unknown };
  if (e?.code !== '0A000') return false;
  // the routine names it whatever the server's language; the message, where no routine is given
  return e.routine === 'RevalidateCachedQuery' || (typeof e.message === 'string' && e.message.includes('cached plan must not change result type'));
}

/** `query` (a pg client's, bound) that prepares the statements it is given with values, by name. */
export function preparingStatements(query: Query, max = MAX_PREPARED_PER_CONNECTION): Query {
  let names = new Map<string, string>();
  const seenOnce = new Set<string>();
  let generation = 0;
  let inTransaction = false;
  let deallocate = false; // the names of earlier generations are still held by the server

  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined || names.size >= max) return name;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= SEEN_ONCE_LIMIT) seenOnce.clear();
      seenOnce.add(text);
      return undefined;
    }
    seenOnce.delete(text);
    const fresh = `posgate_${generation}_${names.size}`;
    names.set(text, fresh);
    return fresh;
  };

  const run = (text: string, values: unknown[]): Promise<unknown> => {
    const name = nameOf(text);
    if (name === undefined) return query(text, values) as Promise<unknown>;
    return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      generation++;
      names = new Map();
      deallocate = true;
      if (inTransaction) throw error;
      return query(text, values);
    });
  };

  return (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || args.length !== 2 || !Array.isArray(values)) return query(...args);
    if (values.length === 0) {
      const command = text.trim().toLowerCase();
      if (command === 'begin' || command.startsWith('start transaction')) inTransaction = true;
      else if (command === 'commit' || command === 'rollback') inTransaction = false;
      return query(text, values);
    }
    if (deallocate && !inTransaction) {
      // every name goes, those prepared since the refusal too: pg believes them parsed, so none may be used again
      deallocate = false;
      generation++;
      names = new Map();
      return (query('deallocate all', []) as Promise<unknown>).then(() => run(text, values));
    }
    return run(text, values);
  };
}
