// Held writes on PostgreSQL (../held-writes.ts): a write marked as one is answered at once (a
// stand-in: one row changed) and sent with the transaction's next statement, corked into one write
// on the socket, so a create's two inserts go with its COMMIT: three round trips fewer per create.
//
// The next statement's answer waits for theirs. If a held write failed, PostgreSQL has aborted the
// transaction: the statements behind it fail ("current transaction is aborted"), and a COMMIT
// answers ROLLBACK, which is no error. So the next statement fails with the held write's own
// failure instead, COMMIT included, marked as reported later: the driver turns a unique violation
// into the port's (postgres.ts), and no statement takes it for its own (kysely-tx.ts). A ROLLBACK
// answers as itself: the transaction is being given up anyway. And a COMMIT answered ROLLBACK,
// held writes or not, fails: some statement failed, and someone went on.
//
// Only inside a transaction: outside one a held write would go with whatever statement its pooled
// connection runs next, for another caller. pg's pipeline mode (postgres.ts) sends a statement
// before the answer to the one before, which is what lets them share a write.
import { HELD_WRITE_MARK, reportLater } from '../held-writes.js';
import { commandOf, type CorkableClient } from './pipelined-begin.js';

type Query = (...args: unknown[]) => unknown;

/**
 * The stand-in answer of every held write, an UPDATE's too (nobody reads its count): what pg answers
 * to an INSERT of one row. Kysely reads only `command`, `rowCount` and `rows`.
 */
const HELD_ANSWER = { command: 'INSERT', rowCount: 1, rows: [] };

const ignore = () => undefined;

/**
 * PostgreSQL answers COMMIT with ROLLBACK, and no error, when a statement of the transaction failed
 * and the transaction went on: a failure someone caught and did not pass on. Nothing was committed,
 * and the caller must not be told it was.
 */
function committed(answer: unknown): unknown {
  if ((answer as { command?: unknown } | undefined)?.command === 'ROLLBACK') throw new Error('COMMIT answered ROLLBACK: a statement of the transaction had failed, and nothing was committed');
  return answer;
}

/** `query` (a pipelining pg client's, bound) holding back the marked writes of a transaction. */
export function holdingWrites(client: CorkableClient, query: Query): Query {
  let inTransaction = false;
  let held: unknown[][] = [];
  return (...args: unknown[]) => {
    const [text] = args;
    const command = commandOf(args) ?? ''; // BEGIN, COMMIT, ROLLBACK: texts without values, the only ones read
    if (inTransaction && typeof text === 'string' && text.startsWith(HELD_WRITE_MARK)) {
      held.push(args);
      return Promise.resolve(HELD_ANSWER);
    }
    if (command === 'begin' || command.startsWith('start transaction')) {
      // a transaction always ends with a statement that sends what it held: nothing is left, and
      // were anything, it belongs to a transaction that never committed, never to this one
      held = [];
      inTransaction = true;
    } else if (command === 'commit' || command === 'rollback') inTransaction = false;
    if (held.length === 0) return command === 'commit' ? (query(...args) as Promise<unknown>).then(committed) : query(...args);
    const writes = held;
    held = [];
    const stream = client.connection?.stream;
    stream?.cork?.();
    let sent: Promise<unknown>[];
    let own: Promise<unknown>;
    try {
      sent = writes.map((write) => query(...write) as Promise<unknown>);
      own = query(...args) as Promise<unknown>;
    } finally {
      stream?.uncork?.();
    }
    for (const write of sent) write.catch(ignore);
    own.catch(ignore);
    if (command === 'rollback') return own;
    return (async () => {
      for (const write of sent) {
        try {
          await write;
        } catch (error) {
          reportLater(error);
          throw error;
        }
      }
      return command === 'commit' ? own.then(committed) : own;
    })();
  };
}
