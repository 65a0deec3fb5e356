// Group commit for the single SQLite connection: the transactions that arrive while one commit is
// being made run next, one after another, inside one SQLite transaction, each in a savepoint of its
// own, and share one COMMIT (one fsync). Each still fails on its own (its savepoint is rolled back,
// the others go on) and succeeds only once the shared COMMIT is durable; a failure is told then
// too, as it may rest on what the batch wrote. A lone transaction is a batch of one: BEGIN, its
// work, COMMIT, no wait for company.
import { sql, type ControlledTransaction, type Kysely } from 'kysely';

/** A transaction and what it is told: its value, or (refused) its own error. */
interface Told<Db> {
  pending: Pending<Db>;
  value: unknown;
}

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
  private drained: Promise<void> = Promise.resolve();
  private closed = false;
  /** COMMITs made and transactions they carried, for the bench and the tests. */
  readonly stats = { commits: 0, transactions: 0 };

  constructor(private readonly db: Kysely<Db>, private readonly hooks: GroupCommitHooks) {}

  run<T>(work: (trx: Kysely<Db>) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.hooks.batchFailed(new Error('the store is closed')));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) this.drained = this.drain();
    });
  }

  /** Takes no more transactions, and returns once those it took have run and been told. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drained;
    try {
      await this.hooks.durable?.();
    } catch {
      // its transactions were told; the store closes all the same
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // SQLite runs synchronously: a batch never lets the event loop read a socket. Let it read
        // the requests that arrived meanwhile, so that their transactions join this batch (one
        // turn of the loop: microseconds for a lone transaction, no timer).
        await new Promise((next) => setImmediate(next));
        try {
          // (asked again after each wait: a failure may have come meanwhile)
          for (let ready = this.hooks.ready?.(); ready; ready = this.hooks.ready?.()) await ready;
        } catch (error) {
          const failure = this.hooks.batchFailed(error);
          for (const pending of this.queue.splice(0, this.hooks.maxBatch)) pending.reject(failure);
          continue;
        }
        await this.runBatch(this.queue.splice(0, this.hooks.maxBatch));
      }
    } finally {
      this.draining = false;
    }
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
    const done: Told<Db>[] = [];
    // a transaction's own failure (a use case's refusal, a unique violation) may rest on what an
    // earlier transaction of this batch or of the one before wrote: it is told with the batch
    const refused: Told<Db>[] = [];
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
          this.lost([...done, ...refused, { pending, value: error }], this.hooks.batchFailed(error));
          this.queue.unshift(...batch.slice(i + 1));
          return;
        }
        if (alone) {
          refused.push({ pending, value: error }); // undone below, with the transaction
          break;
        }
        try {
          await this.savepoint('rollback to savepoint unit', trx);
          await this.savepoint('release savepoint unit', trx);
        } catch (undoing) {
          await trx.rollback().execute().catch(() => undefined);
          this.lost([...done, ...refused, { pending, value: error }], this.hooks.batchFailed(undoing));
          this.queue.unshift(...batch.slice(i + 1));
          return;
        }
        refused.push({ pending, value: error }); // its own failure: the others of the batch go on
      }
    }
    if (done.length === 0) {
      // every one was refused (a lone one's writes are in the transaction, no savepoint): nothing
      // to make durable but what they rest on
      await trx.rollback().execute().catch(() => undefined);
      this.tell([], refused);
      return;
    }
    try {
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      this.lost([...done, ...refused], this.hooks.batchFailed(error));
      return;
    }
    this.stats.commits++;
    this.stats.transactions += done.length;
    try {
      this.hooks.committed?.(done.length);
    } catch {
      // (bookkeeping of a COMMIT made: it fails nothing that committed)
    }
    this.tell(done, refused);
  }

  /**
   * Tells transactions their outcome (a value, or their own refusal) once every COMMIT made so far
   * is durable, or that they failed with the batch if it cannot be.
   */
  private tell(done: Told<Db>[], refused: Told<Db>[]): void {
    const told = () => {
      for (const { pending, value } of done) pending.resolve(value);
      for (const { pending, value } of refused) pending.reject(value);
    };
    let durable: Promise<void> | null;
    try {
      durable = this.hooks.durable?.() ?? null;
    } catch (error) {
      durable = Promise.reject(error);
    }
    if (!durable) told();
    else durable.then(told, (error: unknown) => this.lost([...done, ...refused], this.hooks.batchFailed(error)));
  }

  private lost(transactions: Told<Db>[], failure: unknown): void {
    for (const { pending } of transactions) pending.reject(failure);
  }
}
