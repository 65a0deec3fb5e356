// The SQLite store's COMMITs are fsynced off the server's thread (wal-sync.ts), and nothing that
// depends on one is told before its fsync has returned: on a real file, with the fsync held by the
// test (the store's `syncFile`, which is fdatasync on libuv's pool otherwise).
import { statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageUnavailable, type Merchant, type Persistence } from '../../app/ports/persistence.js';
import { openSqliteStore } from './sqlite.js';
import { CHECKPOINT_EVERY, WalCheckpoints } from './wal-checkpoints.js';
import type { SyncFile } from './wal-sync.js';

const merchant = (id: string): Merchant => ({ id, name: id, testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1_767_225_600_000 });

/** Whether `promise` has settled after the event loop has turned a few times (SQLite answers synchronously). */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** fsyncs the test lets return one at a time (or fail). */
function heldSyncs() {
  const waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let calls = 0;
  const syncFile: SyncFile = () => {
    calls++;
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  return {
    syncFile,
    calls: () => calls,
    /** Lets every fsync return until none is left running. */
    async drain(): Promise<void> {
      while (waiting.length > 0) {
        for (const held of waiting.splice(0)) held.resolve();
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async release(): Promise<void> {
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
      waiting.shift()!.resolve();
    },
    async fail(error: unknown): Promise<void> {
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
      waiting.shift()!.reject(error);
    },
  };
}

describe('SQLite: a COMMIT is durable before anything depends on it', () => {
  let dir: string;
  let file: string;
  let store: Persistence;
  let syncs: ReturnType<typeof heldSyncs>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posgate-wal-'));
    file = join(dir, 'posgate.db');
    syncs = heldSyncs();
    store = openSqliteStore(file, { syncFile: syncs.syncFile });
    const migrating = store.migrate();
    // the migrations' own COMMITs wait for their fsyncs too
    while (!(await settledSoon(migrating))) await syncs.drain();
    await migrating;
    await syncs.drain();
  });

  afterEach(async () => {
    const closing = store.close();
    while (!(await settledSoon(closing))) await syncs.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What another connection sees in the file: committed, durable or not. */
  const committed = (id: string) => {
    const other = new SqliteDatabase(file, { readonly: true });
    try {
      return other.prepare('select id from merchants where id = ?').get(id) !== undefined;
    } finally {
      other.close();
    }
  };

  it('a transaction resolves only once the fsync after its COMMIT has returned', async () => {
    const calls = syncs.calls();
    const writing = store.transaction((tx) => tx.insertMerchant(merchant('m_1')));
    await vi.waitFor(() => expect(committed('m_1')).toBe(true));
    expect(await settledSoon(writing)).toBe(false);
    expect(syncs.calls()).toBe(calls + 1);
    await syncs.release();
    await writing;
  });

  it('a read that saw a COMMIT whose fsync is still running answers once it has returned', async () => {
    const writing = store.transaction((tx) => tx.insertMerchant(merchant('m_1')));
    await vi.waitFor(() => expect(committed('m_1')).toBe(true));
    const reading = store.read.getMerchant('m_1');
    expect(await settledSoon(reading)).toBe(false);
    await syncs.release();
    expect((await reading)?.id).toBe('m_1');
    await writing;
    // with nothing outstanding, a read does not wait
    expect(await settledSoon(store.read.getMerchant('m_1'))).toBe(true);
  });

  it('the COMMITs made while an fsync runs share the next one', async () => {
    const first = store.transaction((tx) => tx.insertMerchant(merchant('m_first')));
    await vi.waitFor(() => expect(committed('m_first')).toBe(true));
    const calls = syncs.calls();
    // one after another, each in a batch of its own (a transaction after the last has committed)
    const later: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      later.push(store.transaction((tx) => tx.insertMerchant(merchant(`m_${i}`))));
      await vi.waitFor(() => expect(committed(`m_${i}`)).toBe(true));
    }
    expect(store.groupCommit!.commits).toBeGreaterThanOrEqual(6);
    expect(syncs.calls()).toBe(calls); // the first's fsync is still running: no other began
    await syncs.release();
    await first;
    await syncs.release(); // one fsync for the five
    await Promise.all(later);
    expect(syncs.calls()).toBe(calls + 1);
  });

  it('a failed fsync fails the transactions that waited for it, and every later one and read, as StorageUnavailable', async () => {
    const writing = store.transaction((tx) => tx.insertMerchant(merchant('m_1')));
    await vi.waitFor(() => expect(committed('m_1')).toBe(true));
    await syncs.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(writing).rejects.toBeInstanceOf(StorageUnavailable);
    // the kernel may have dropped what it could not write: nothing after it can be called durable
    await expect(store.transaction((tx) => tx.insertMerchant(merchant('m_2')))).rejects.toBeInstanceOf(StorageUnavailable);
    await expect(store.read.getMerchant('m_1')).rejects.toBeInstanceOf(StorageUnavailable);
  });
});

describe('SQLite: checkpoints on a thread of their own', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'posgate-checkpoint-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`copies the log into the database file after every ${CHECKPOINT_EVERY} COMMITs, which the writer no longer does`, async () => {
    const file = join(dir, 'posgate.db');
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    const checkpoints = new WalCheckpoints(file, (on) => database.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`));
    try {
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      database.exec('create table t (n integer)');
      const insert = database.prepare('insert into t values (?)');
      const fileSize = statSync(file).size;
      for (let n = 1; n < CHECKPOINT_EVERY; n++) {
        insert.run(n);
        checkpoints.commitMade();
      }
      expect(checkpoints.running()).toBeNull();
      insert.run(CHECKPOINT_EVERY);
      checkpoints.commitMade();
      expect(checkpoints.running()).not.toBeNull();
      await checkpoints.running();
      expect(checkpoints.made).toBe(1);
      expect(statSync(file).size).toBeGreaterThan(fileSize); // the table's pages, copied from the log
    } finally {
      await checkpoints.close();
      database.close();
    }
  });

  it('a worker that cannot do its work gives the writer its own checkpoints back', async () => {
    const selfCheckpointing = vi.fn();
    const checkpoints = new WalCheckpoints(join(dir, 'missing.db'), selfCheckpointing);
    expect(selfCheckpointing).toHaveBeenLastCalledWith(false);
    for (let n = 0; n < CHECKPOINT_EVERY; n++) checkpoints.commitMade();
    await checkpoints.running();
    expect(selfCheckpointing).toHaveBeenLastCalledWith(true);
    // and asks it for none again
    for (let n = 0; n < CHECKPOINT_EVERY; n++) checkpoints.commitMade();
    expect(checkpoints.running()).toBeNull();
    await checkpoints.close();
  });
});
