// How many requests the server begins per turn of the event loop. Node's libuv (1.45 and later)
// accepts one new connection per turn, and a turn runs every request that is ready on the
// connections already open: under load, with hundreds of connections, a turn lasts tens of
// milliseconds, so a burst of new connections waits seconds before the first of their requests
// is even read (measured: 400 connections opened at once against a saturated server, the last
// accepted one per 35 ms, their first answer after up to 10 s). Beginning at most `perTurn`
// requests in a turn, and the rest in the turns that follow, in order, keeps a turn short, so
// new connections are accepted promptly while the requests already read wait their turn.
//
// While connections are being accepted the turns are kept shorter still (`whileAccepting`): a
// turn that accepted one is a sign that more wait in the listen queue (libuv's poll reports the
// listening socket again while any does), and each of them needs a turn of its own. With 16
// requests of 0.2 ms per turn, 400 waiting connections took 400 × 3.2 ms; with 2, about an eighth.
// Once a turn accepts none, `perTurn` applies again: the steady state keeps its larger turns (and
// what a group commit carries).
//
// A request that finds the turn's budget unspent begins at once: at low load nothing waits.

type Begin = () => void;

export interface TurnBudget {
  /** Calls `begin` now, or in a later turn once the requests ahead of it have begun. */
  admit(begin: Begin): void;
  /** A connection was accepted in this turn: others may be waiting, so the next turns stay short. */
  accepted(): void;
}

export interface TurnBudgetOptions {
  perTurn: number;
  /** At most this many per turn while connections are being accepted (at most `perTurn`). */
  whileAccepting: number;
  /** What a request that failed to begin in a later turn threw (a bug after its admission). */
  onError: (error: unknown) => void;
}

export function turnBudget({ perTurn, whileAccepting, onError }: TurnBudgetOptions): TurnBudget {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new Error(`turnBudget: perTurn must be a positive integer, got ${perTurn}`);
  if (!Number.isInteger(whileAccepting) || whileAccepting < 1 || whileAccepting > perTurn)
    throw new Error(`turnBudget: whileAccepting must be an integer from 1 to perTurn (${perTurn}), got ${whileAccepting}`);
  const waiting: Begin[] = [];
  let limit = perTurn; // of this turn
  let begun = 0; // in this turn
  let acceptedThisTurn = false;
  let scheduled = false;

  // The check phase, after the turn's I/O: the budget is renewed and the first of those waiting
  // begin. Scheduled from here, the next run is in the next turn, after that turn's I/O (an accept among it).
  const nextTurn = () => {
    scheduled = false;
    limit = acceptedThisTurn ? whileAccepting : perTurn;
    acceptedThisTurn = false;
    const now = waiting.splice(0, limit);
    begun = now.length;
    if (waiting.length > 0 || begun > 0) schedule();
    else limit = perTurn; // idle: the next turn's accept, if any, shortens it again
    for (const begin of now) {
      try {
        begin();
      } catch (error) {
        onError(error); // and the others of the turn still begin
      }
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };

  return {
    admit(begin) {
      schedule();
      if (waiting.length === 0 && begun < limit) {
        begun++;
        begin();
      } else {
        waiting.push(begin);
      }
    },
    accepted() {
      acceptedThisTurn = true;
      limit = Math.min(limit, whileAccepting);
      schedule(); // the check phase of this turn sets the next turn's budget
    },
  };
}
