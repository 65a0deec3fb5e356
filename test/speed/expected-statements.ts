// The SQL a native operation costs, pinned: statements.test.ts (SQLite) and statements.pg.test.ts
// (PostgreSQL, with its round trips) assert these exactly. A change that removes statements on
// purpose updates them here, and the table in bench/README.md ("Statements per operation").

/**
 * statements (BEGIN, COMMIT, SAVEPOINT included) / durable COMMITs, one call each, on PostgreSQL.
 * SQLite sends the same, and a `pragma data_version` more after each of the operation's reads and
 * COMMITs (whether another process committed what it may show: drivers/sqlite.ts).
 */
const STATEMENTS = {
  create: { statements: 6, commits: 1 }, // a transaction's first read brings the merchant's webhook endpoints along
  pay: { statements: 15, commits: 2 }, // the request's last event sequence and its endpoints come with its row; a command's apply returns it; its status is read once its hold is taken
  refund: { statements: 20, commits: 2 }, // its audit entry (the dashboard's audit log) is one insert
  read: { statements: 2, commits: 0 }, // the key, then the request with its merchant (whose test clock says whether it has expired)
  list: { statements: 2, commits: 0 },
} as const;

/** On SQLite: the reads outside a transaction and the COMMITs each ask `data_version` once. */
export const EXPECTED = {
  create: { ...STATEMENTS.create, statements: STATEMENTS.create.statements + 2 }, // the key's read, the COMMIT
  pay: { ...STATEMENTS.pay, statements: STATEMENTS.pay.statements + 3 }, // the key's read, two COMMITs
  refund: { ...STATEMENTS.refund, statements: STATEMENTS.refund.statements + 3 },
  read: { ...STATEMENTS.read, statements: STATEMENTS.read.statements + 2 }, // two reads
  list: { ...STATEMENTS.list, statements: STATEMENTS.list.statements + 2 },
} as const;

/**
 * On PostgreSQL: the same statements (a request's last event sequence comes with its update there,
 * not with its row: kysely-tx.ts, `sequences`), and the round trips: a transaction's BEGIN goes with
 * its first read, held writes (inserts of new rows, a command's release) with the statement after them.
 */
export const EXPECTED_POSTGRES = {
  create: { ...STATEMENTS.create, roundTrips: 3 }, // the key; BEGIN with the terminal (its merchant and endpoints); the two inserts with the COMMIT
  pay: { ...STATEMENTS.pay, roundTrips: 10 }, // the key; reserve: BEGIN with the request, its commands, the command's insert with the request's update, the command's status, COMMIT; apply: BEGIN with the request, the release with the command's update, the request's update (its last sequence returned), the event with the COMMIT
  refund: { ...STATEMENTS.refund, roundTrips: 12 }, // as pay, and the refund's existing reference; the refund, its events and its audit entry go with the COMMIT
  read: { ...STATEMENTS.read, roundTrips: 2 },
  list: { ...STATEMENTS.list, roundTrips: 2 },
} as const satisfies Record<keyof typeof STATEMENTS, unknown>;
