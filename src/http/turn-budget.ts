// How many requests the server begins per turn of the event loop. Node's libuv (1.45 and later)
// accepts one new connection per turn, and a turn runs every request that is ready on the
// connections already open: under load, with hundreds of connections, a turn lasts tens of
// milliseconds, so a burst of new connections waits seconds before the first of their requests
// is even read (measured: 400 connections opened at once against a saturated server, the last
// accepted one per 35 ms, their first answer after up to 10 s). Beginning at most `perTurn`
// requests in a turn, and the rest in the turns that follow, in order, keeps a turn short, so
// new connections are accepted promptly while the requests already read wait their turn.
// A request that finds the turn's budget unspent begins at once: at low load nothing waits.

type Begin = () => void;

export interface TurnBudget {
  /** Calls `begin` now, or in a later turn once the requests ahead of it have begun. */
  admit(begin: Begin): void;
}

/** `onError`: what a request that failed to begin in a later turn threw (a bug after its admission). */
export function turnBudget(perTurn: number, onError: (error: unknown) => void): TurnBudget {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new Error(`turnBudget: perTurn must be a positive integer, got ${perTurn}`);
  const waiting: Begin[] = [];
  let begun = 0; // in this turn
  let scheduled = false;

  // The check phase, after the turn's I/O: the budget is renewed and the first of those waiting
  // begin. Scheduled from here, the next run is in the next turn, after that turn's I/O (an accept among it).
  const nextTurn = () => {
    scheduled = false;
    const now = waiting.splice(0, perTurn);
    begun = now.length;
    if (waiting.length > 0 || begun > 0) schedule();
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
      if (waiting.length === 0 && begun < perTurn) {
        begun++;
        begin();
      } else {
        waiting.push(begin);
      }
    },
  };
}
