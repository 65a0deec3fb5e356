// Named prepared statements on PostgreSQL: pg then sends a statement's text to be parsed and
// analysed once per connection, and afterwards only its values. posgate's hot path is a few dozen
// texts run again and again (the compiled queries of ../compiled.ts); where PostgreSQL shares the
// cores with posgate, parsing each of them anew held creates about a fifth lower.
//
// What a named statement brings that an unnamed one does not, handled here:
// - A connection prepares a bounded number of texts (`max`); beyond, statements run unnamed, so
//   that IN lists of every length cannot grow the server's memory without end.
// - A table altered under a prepared `select *` (a migration by a newer release while this process
//   still runs) makes PostgreSQL refuse the statement: "cached plan must not change result type"
//   (0A000). The connection then forgets its names, so that what it runs next is prepared afresh.
//   Outside a transaction the statement is run again at once, unnamed; inside one, the error has
//   ended the transaction, and the unit of work runs again (postgres.ts maps it to a conflict).
// - Statements without values (BEGIN, COMMIT, SET) run unnamed, as before.

type Query = (...args: unknown[]) => unknown;

/** How many statement texts one connection prepares at most. */
export const MAX_PREPARED_PER_CONNECTION = 100;

/** PostgreSQL's refusal of a prepared statement whose table changed shape since it was prepared. */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/** `query` (a pg client's, bound) that prepares the statements it is given with values, by name. */
export function preparingStatements(query: Query, max = MAX_PREPARED_PER_CONNECTION): Query {
  let names = new Map<string, string>();
  let generation = 0;
  let inTransaction = false;
  return (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || args.length !== 2 || !Array.isArray(values)) return query(...args);
    const command = text.trim().toLowerCase();
    if (command === 'begin' || command.startsWith('start transaction')) inTransaction = true;
    else if (command === 'commit' || command === 'rollback') inTransaction = false;
    if (values.length === 0) return query(text, values);
    let name = names.get(text);
    if (name === undefined && names.size < max) names.set(text, (name = `posgate_${generation}_${names.size}`));
    if (name === undefined) return query(text, values);
    return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      generation++;
      names = new Map();
      if (inTransaction) throw error;
      return query(text, values);
    });
  };
}
