// Checkpoints of SQLite's write-ahead log (copying its pages into the database file, with an fsync
// of each), made by a connection of their own on a worker thread. Left to SQLite, the writer makes
// one inside the COMMIT that takes the log past 1,000 pages, and better-sqlite3 being synchronous,
// the server's one thread waited 3–5 ms for it, every 13th COMMIT or so under load (half of what
// COMMITs cost that thread). The writer now makes none (wal_autocheckpoint=0), and the group commit
// asks for one here after CHECKPOINT_EVERY transactions or CHECKPOINT_EVERY_COMMITS COMMITs.
//
// The log is reused from its start only by a COMMIT made when a checkpoint has copied all of it,
// so the group commit begins no batch while one runs (`running()`): otherwise, under a steady load,
// each checkpoint would end behind the last COMMIT and the log would grow without bound. The
// thread serves other work meanwhile; the transactions that arrive make the next batch.
//
// Should the worker fail, the writer checkpoints by itself again, as it did before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A checkpoint after this many transactions or CHECKPOINT_EVERY_COMMITS COMMITs, whichever comes
 * first: about SQLite's own 1,000 pages for creates in batches of 30 (70 pages a batch), and at
 * most that for transactions one at a time, whose pages vary (8 for a create, more for a payment
 * or a refund). Transactions alone let the log outgrow a small disk before its first checkpoint
 * (test/faults/sqlite-disk.test.ts: its 8 MB filled by the log, never to be freed).
 */
export const CHECKPOINT_EVERY = 256;
export const CHECKPOINT_EVERY_COMMITS = 16;

// CommonJS evaluated in the worker: it needs no build of its own, under tsx or from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.file, { fileMustExist: true });
database.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    database.close();
    parentPort.close();
    return;
  }
  let failure = null;
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    failure = String(error && error.message);
  }
  parentPort.postMessage(failure);
});
`;

/** A checkpoint not answered by then is taken for a worker that hangs: the writer checkpoints again. */
const CHECKPOINT_TIMEOUT_MS = 10_000;

export class WalCheckpoints {
  private transactions = 0;
  private commits = 0;
  private worker: Worker | null = null;
  private current: Promise<void> | null = null;
  private finish: (() => void) | null = null;
  private timeout: NodeJS.Timeout | null = null;
  private failed = false;
  private closed = false;
  /** Checkpoints made, for the tests and the bench. */
  made = 0;

  /** `selfCheckpointing(true)` gives the writer its own checkpoints back. */
  constructor(private readonly file: string, private readonly selfCheckpointing: (on: boolean) => void) {
    selfCheckpointing(false);
  }

  /** After each COMMIT of the group commit, with the transactions it carried. */
  committed(transactions: number): void {
    if (this.failed || this.closed) return;
    // started at the first COMMIT, so that it is ready by the first checkpoint (starting takes tens of ms)
    const worker = this.workerThread();
    this.transactions += transactions;
    this.commits++;
    if ((this.transactions < CHECKPOINT_EVERY && this.commits < CHECKPOINT_EVERY_COMMITS) || this.current) return;
    this.transactions = 0;
    this.commits = 0;
    this.current = new Promise((resolve) => (this.finish = resolve));
    this.timeout = setTimeout(() => void this.giveUp(), CHECKPOINT_TIMEOUT_MS);
    worker.ref(); // what waits for the checkpoint keeps the process alive, as any I/O would
    worker.postMessage('checkpoint');
  }

  /** The checkpoint under way, if one is: the next batch waits for it. */
  running(): Promise<void> | null {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true; // a COMMIT still made while the store closes starts no worker again
    await this.current;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private workerThread(): Worker {
    if (!this.worker) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
      // A checkpoint that fails (a full disk) is asked again after the next transactions. Giving
      // the writer its checkpoints back would not help (its would fail alike), and ending a worker
      // whose connection a failure left mid-checkpoint left the writer's transactions waiting.
      worker.on('message', (failure: string | null) => {
        if (failure === null) this.made++;
        this.done();
      });
      // a worker that cannot open the file or dies: the writer checkpoints again
      worker.on('error', () => {
        if (this.worker === worker) void this.giveUp();
      });
      worker.on('exit', () => {
        if (this.worker === worker) void this.giveUp();
      });
      worker.unref(); // an idle worker does not hold the process open
      this.worker = worker;
    }
    return this.worker;
  }

  private done(): void {
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = null;
    this.worker?.unref();
    const finish = this.finish;
    this.current = null;
    this.finish = null;
    finish?.();
  }

  /** The writer checkpoints by itself from now on. */
  private async giveUp(): Promise<void> {
    const worker = this.worker;
    this.failed = true;
    this.worker = null;
    this.selfCheckpointing(true);
    this.done();
    worker?.unref(); // stuck in a checkpoint, terminate() may not end it: it must not hold the process
    await worker?.terminate();
  }
}
