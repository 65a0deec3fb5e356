// Group commit for the single SQLite connection: the transactions that arrive while one commit is
// being made run next, one after another, inside one SQLite transaction, each in a savepoint of its
// own, and share one COMMIT (one fsync). Each still fails on its own (its savepoint is rolled back
// and it is told at once) and succeeds only once the shared COMMIT is durable. A lone transaction
// is a batch of one: BEGIN, its work, COMMIT, no wait for company.
import { sql, type ControlledTransaction, type Kysely } from 'kysely';

interface Pending<Db> {
  work: (trx: Kysely<Db>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitHooks {
  /** How many transactions one COMMIT may carry at most (a bound on the latency a batch adds). */
  maxBatch: number;
  /** The failure of the whole batch (the COMMIT or the disk failed): what each of its transactions is told. */
  batchFailed(error: unknown): unknown;
  /** Whether SQLite itself ended the transaction (a disk failure rolls it back): the batch is lost. */
  transactionLost(): boolean;
  /** Runs a savepoint statement on the connection at once (a synchronous driver), instead of through Kysely. */
  runAtOnce?(statement: string): void;
  /**
   * Resolves once the COMMITs made so far are durable (null if they are), where COMMIT itself does
   * not wait for the disk (wal-sync.ts): a batch's transactions resolve only then.
   */
  durable?(): Promise<void> | null;
  /**
   * Resolves once the next batch may begin (null if it may now): a checkpoint under way
   * (wal-checkpoints.ts). Rejects when none may: the batch is refused with that error, not begun.
   */
  ready?(): Promise<void> | null;
  /** After each COMMIT, with the transactions it carried. */
  committed?(transactions: number): void;
}

export class GroupCommit<Db> {
  private readonly queue: Pending<Db>[] = [];
  /**
   * Whether the batch being run carries one transaction: nothing came while the last one ran, so
   * the server is not busy (a batch is run without the event loop reading a socket, so the queue
   * itself is empty at its COMMIT under any load).
   */
  runningAlone = false;
  private draining = false;
  /** COMMITs made and transactions they carried, for the bench and the tests. */
  readonly stats = { commits: 0, transactions: 0 };

  constructor(private readonly db: Kysely<Db>, private readonly hooks: GroupCommitHooks) {}

  run<T>(work: (trx: Kysely<Db>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // SQLite runs synchronously: a batch never lets the event loop read a socket. Let it read
        // the requests that arrived meanwhile, so that their transactions join this batch (one
        // turn of the loop: microseconds for a lone transaction, no timer).
        await new Promise((next) => setImmediate(next));
        const ready = this.hooks.ready?.();
        if (ready) {
          try {
            await ready;
          } catch (error) {
            const failure = this.hooks.batchFailed(error);
            for (const pending of this.queue.splice(0, this.hooks.maxBatch)) pending.reject(failure);
            continue;
          }
        }
        await this.runBatch(this.queue.splice(0, this.hooks.maxBatch));
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * A transaction's own failure (a use case's refusal, a unique violation) may rest on what an
   * earlier batch committed and has not yet made durable: it is told once that is, as a success is.
   */
  private refuse(pending: Pending<Db>, error: unknown): void {
    const durable = this.hooks.durable?.();
    if (!durable) pending.reject(error);
    else durable.then(() => pending.reject(error), (failed: unknown) => pending.reject(this.hooks.batchFailed(failed)));
  }

  private async savepoint(statement: 'savepoint unit' | 'release savepoint unit' | 'rollback to savepoint unit', trx: Kysely<Db>): Promise<void> {
    if (this.hooks.runAtOnce) this.hooks.runAtOnce(statement);
    else await sql.raw(statement).execute(trx);
  }

  private async runBatch(batch: Pending<Db>[]): Promise<void> {
    let trx: ControlledTransaction<Db>;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (error) {
      for (const pending of batch) pending.reject(this.hooks.batchFailed(error));
      return;
    }
    const done: { pending: Pending<Db>; value: unknown }[] = [];
    const alone = batch.length === 1;
    this.runningAlone = alone;
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i]!;
      try {
        if (!alone) await this.savepoint('savepoint unit', trx);
        const value = await pending.work(trx);
        if (!alone) await this.savepoint('release savepoint unit', trx);
        done.push({ pending, value });
      } catch (error) {
        if (this.hooks.transactionLost()) {
          // SQLite rolled the whole transaction back: what ran before is lost with it; what has not run yet runs in the next batch
          await trx.rollback().execute().catch(() => undefined);
          const failure = this.hooks.batchFailed(error);
          pending.reject(failure);
          for (const { pending: earlier } of done) earlier.reject(failure);
          this.queue.unshift(...batch.slice(i + 1));
          return;
        }
        if (alone) {
          await trx.rollback().execute().catch(() => undefined);
          this.refuse(pending, error);
          return;
        }
        try {
          await this.savepoint('rollback to savepoint unit', trx);
          await this.savepoint('release savepoint unit', trx);
        } catch (undoing) {
          await trx.rollback().execute().catch(() => undefined);
          const failure = this.hooks.batchFailed(undoing);
          pending.reject(error);
          for (const { pending: earlier } of done) earlier.reject(failure);
          this.queue.unshift(...batch.slice(i + 1));
          return;
        }
        this.refuse(pending, error); // its own failure: the others of the batch go on
      }
    }
    try {
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      const failure = this.hooks.batchFailed(error);
      for (const { pending } of done) pending.reject(failure);
      return;
    }
    this.stats.commits++;
    this.stats.transactions += done.length;
    this.hooks.committed?.(done.length);
    const durable = this.hooks.durable?.();
    if (!durable) for (const { pending, value } of done) pending.resolve(value);
    else {
      durable.then(
        () => {
          for (const { pending, value } of done) pending.resolve(value);
        },
        (error: unknown) => {
          const failure = this.hooks.batchFailed(error);
          for (const { pending } of done) pending.reject(failure);
        },
      );
    }
  }
}
