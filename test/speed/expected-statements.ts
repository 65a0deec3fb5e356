// The SQL a native operation costs, pinned: statements.test.ts (SQLite) and statements.pg.test.ts
// (PostgreSQL, with its round trips) assert these exactly. A change that removes statements on
// purpose updates them here, and the table in bench/README.md ("Statements per operation").

/** statements (BEGIN, COMMIT, SAVEPOINT included) / durable COMMITs, one call each, on SQLite. */
export const EXPECTED = {
  create: { statements: 6, commits: 1 }, // a transaction's first read brings the merchant's webhook endpoints along
  pay: { statements: 14, commits: 2 }, // the request's last event sequence and its endpoints come with its row; a command's apply returns it
  refund: { statements: 19, commits: 2 }, // its audit entry (the dashboard's audit log) is one insert
  read: { statements: 2, commits: 0 }, // the key, then the request with its merchant (whose test clock says whether it has expired)
  list: { statements: 2, commits: 0 },
} as const;

/**
 * On PostgreSQL: the same statements, but for a request's last event sequence, read after its row
 * lock rather than with it (kysely-tx.ts, `sequences`), and the round trips (a transaction's BEGIN
 * goes with its first read, held writes with the statement after them).
 */
export const EXPECTED_POSTGRES = {
  create: { ...EXPECTED.create, roundTrips: 3 }, // the key; BEGIN with the terminal (its merchant and endpoints); the two inserts with the COMMIT
  pay: { statements: EXPECTED.pay.statements + 1, commits: EXPECTED.pay.commits, roundTrips: 12 },
  refund: { ...EXPECTED.refund, roundTrips: 14 },
  read: { ...EXPECTED.read, roundTrips: 2 },
  list: { ...EXPECTED.list, roundTrips: 2 },
} as const satisfies Record<keyof typeof EXPECTED, unknown>;
