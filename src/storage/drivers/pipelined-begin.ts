// A transaction's BEGIN sent with its first read, in one write and one round trip, on PostgreSQL.
//
// Kysely sends BEGIN on its own and waits for the answer before the transaction's first statement:
// a round trip that carries nothing. Each round trip costs a wait (where PostgreSQL is across a
// network, the larger part of a short transaction's time) and, on the server's side, a wake-up of
// its backend. So BEGIN is held back and sent with the statement that follows it, pipelined (pg's
// `pipeline` mode, on for the pool's connections: see postgres.ts), in one write: their answers
// come back together.
//
// Only before a read. Pipelined statements each run whatever happened to the one before, so if
// BEGIN failed, a write sent behind it would run, and commit, on its own: before a write BEGIN is
// sent first and waited for, as before. A read that ran outside the transaction changed nothing,
// and BEGIN's failure fails it all the same. A transaction that ran nothing sends neither BEGIN nor
// its COMMIT or ROLLBACK.
//
// Kysely sends one statement of a transaction at a time (it waits for each), and a read outside a
// transaction takes a connection of its own, so only these pairs are ever on the wire together.
// (Pipeline mode also changes what a statement that timed out does to its connection, and refuses
// cursors: see postgres.ts.) A read refused because a migration changed its table since it was
// prepared fails its transaction as before, which runs again (prepared-statements.pg.test.ts).

type Query = (...args: unknown[]) => unknown;

/** What pg answers to a statement that returns no rows; Kysely reads only `command`, `rowCount` and `rows`. */
const answered = (command: string) => Promise.resolve({ command, rowCount: null, rows: [] });

/** The pg client's socket, to send the two in one write (pg writes each statement on its own). */
export interface CorkableClient {
  connection?: { stream?: { cork?(): void; uncork?(): void } };
}

/** BEGIN, COMMIT, ROLLBACK and the like: a text with no values (null for any other statement). */
export const commandOf = (args: unknown[]): string | null => {
  const [text, values] = args;
  if (typeof text !== 'string' || args.length !== 2 || !Array.isArray(values) || values.length > 0) return null;
  return text.trim().toLowerCase();
};

/** A statement that changes no row (a row lock taken outside a transaction ends with it). */
const isRead = (args: unknown[]) => typeof args[0] === 'string' && /^\s*select\b/i.test(args[0]);

/** `query` (a pipelining pg client's, bound) sending BEGIN with the transaction's first read. */
export function pipeliningBegin(client: CorkableClient, query: Query): Query {
  let held = false;
  return (...args: unknown[]) => {
    const command = commandOf(args);
    if (command === 'begin') {
      held = true;
      return answered('BEGIN');
    }
    if (!held) return query(...args);
    held = false;
    if (command === 'commit' || command === 'rollback') return answered(command.toUpperCase());
    if (!isRead(args)) return (query('begin', []) as Promise<unknown>).then(() => query(...args));
    const stream = client.connection?.stream;
    stream?.cork?.();
    let begun: Promise<unknown>;
    let read: Promise<unknown>;
    try {
      begun = query('begin', []) as Promise<unknown>;
      read = query(...args) as Promise<unknown>;
    } finally {
      stream?.uncork?.();
    }
    read.catch(() => undefined); // BEGIN's failure is the one to report
    return begun.then(() => read);
  };
}
