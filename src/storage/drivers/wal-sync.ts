// The fsync of SQLite's write-ahead log, made off the server's thread. With synchronous=FULL,
// SQLite fsyncs the WAL inside COMMIT, and better-sqlite3 being synchronous, the server's one
// thread waited for the disk (about 1 ms a COMMIT here, a fifth of a create's thread time under
// load). The writer now runs synchronous=NORMAL (COMMIT writes the WAL, no fsync) and this makes
// the fsync on libuv's thread pool instead (or at once for a lone transaction, which then pays no
// hop to the pool, when the server is not busy); nothing that depends on a COMMIT leaves the process
// before the fsync that covers it has returned:
//
// - a transaction resolves only then (group-commit.ts waits for `durable()`);
// - a read outside a transaction answers only then (wrapping-reads.ts): it may have seen a COMMIT
//   whose fsync is still running, and must not show a client what a power cut could take back.
//
// One fdatasync of the WAL file makes durable everything written to it before the call (the WAL's
// header and frames: the file's size is data it needs, so fdatasync covers it), which is what
// FULL's own fsync at COMMIT does. Checkpoints are SQLite's still, and NORMAL syncs around them as
// FULL does. One fsync runs at a time; the COMMITs made while it runs share the next one.
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageUnavailable } from '../../app/ports/persistence.js';

/** Makes what was written to the file open as `fd` durable: on the pool, or at once (`atOnce`). */
export interface SyncFile {
  (fd: number): Promise<void>;
  atOnce(fd: number): void;
}

const fdatasyncOnPool: SyncFile = Object.assign((fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve()))), {
  atOnce: (fd: number) => fdatasyncSync(fd),
});

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSync {
  /** COMMITs made on the writer, and how many of them are durable. */
  private committed = 0;
  private synced = 0;
  private syncing = false;
  /** The fsync loop last started, for close() to wait for. */
  private loop: Promise<void> = Promise.resolve();
  private closed = false;
  private fd: number | null = null;
  private readonly waiters: Waiter[] = [];
  /**
   * An fsync failed. Linux marks the pages it could not write clean and tells the error once, so a
   * later fsync would succeed without them: nothing committed since can be called durable, and
   * every later wait fails until the process restarts (and SQLite recovers the log from the disk).
   */
  private failure: StorageUnavailable | null = null;
  /** fsyncs made, for the tests and the bench. */
  syncs = 0;

  constructor(private readonly databaseFile: string, private readonly syncFile: SyncFile = fdatasyncOnPool) {}

  /**
   * Called at once (synchronously) after SQLite ended a transaction that may have written.
   * `atOnce`: the server is not busy (the COMMIT carried one transaction), so the fsync is made
   * here, as SQLite's own would have been, sparing the transaction the round trip to the pool.
   */
  commitMade(atOnce = false): void {
    this.committed++;
    if (this.syncing) return;
    if (!atOnce || this.failure) {
      this.syncLoop();
      return;
    }
    const fd = this.openedLog();
    if (fd === null) return;
    const upTo = this.committed;
    try {
      this.syncFile.atOnce(fd);
    } catch (error) {
      return this.recordSync(upTo, error);
    }
    this.recordSync(upTo);
  }

  /** Why nothing can be called durable any more (a failed fsync), if so. */
  get failed(): StorageUnavailable | null {
    return this.failure;
  }

  /** Resolves once every COMMIT made until now is durable; null when they already are. */
  durable(): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= this.committed) return null;
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ upTo: this.committed, resolve, reject }));
    // (after a log that could not be opened no fsync runs, and no COMMIT may come to start one)
    if (!this.syncing) this.syncLoop();
    return waiting;
  }

  /** Waits for what is outstanding and the fsync under way, then lets go of the log's file for good. */
  async close(): Promise<void> {
    await this.durable()?.catch(() => undefined);
    this.closed = true; // no loop started from now on opens the log again
    while (this.syncing) await this.loop;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private syncLoop(): void {
    this.loop = this.syncAll();
  }

  /** fsyncs until every COMMIT made is durable; `syncing` is set and cleared within its own steps. */
  private async syncAll(): Promise<void> {
    this.syncing = true;
    try {
      while (this.synced < this.committed && !this.failure) {
        const fd = this.openedLog();
        if (fd === null) return;
        const upTo = this.committed;
        try {
          await this.syncFile(fd);
        } catch (error) {
          this.recordSync(upTo, error);
          continue; // (the failure ends the loop)
        }
        this.recordSync(upTo);
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Records an fsync that covered the COMMITs up to `upTo`, or failed with `error`, and tells the waiters. */
  private recordSync(upTo: number, error?: unknown): void {
    if (error === undefined) {
      this.syncs++;
      this.synced = upTo;
    } else {
      this.failure = new StorageUnavailable(error);
    }
    this.settle();
  }

  /** The log's descriptor; null, and what waits told, when it cannot be opened (out of descriptors: the next COMMIT tries again). */
  private openedLog(): number | null {
    try {
      return this.walFd();
    } catch (error) {
      this.settle(new StorageUnavailable(error));
      return null;
    }
  }

  /** Tells the waiters whose COMMITs are durable, or all of them of `failure` (or the latched one). */
  private settle(failure: StorageUnavailable | null = this.failure): void {
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i]!;
      if (failure) waiter.reject(failure);
      else if (waiter.upTo <= this.synced) waiter.resolve();
      else {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
    }
  }

  /**
   * The log's file, opened once its first COMMIT has made it. The WAL lives as long as a connection
   * to the database is open (ours are), so the descriptor stays its file. Its directory entry is
   * made durable once, as SQLite does for a new log at its first sync.
   */
  private walFd(): number {
    if (this.closed) throw new Error('the store is closed');
    if (this.fd === null) {
      this.fd = openSync(`${this.databaseFile}-wal`, 'r');
      const directory = openSync(dirname(this.databaseFile), 'r');
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
    }
    return this.fd;
  }
}
