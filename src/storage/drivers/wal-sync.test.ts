// The SQLite store's COMMITs are fsynced off the server's thread (wal-sync.ts), and nothing that
// depends on one is told before its fsync has returned: on a real file, with the fsync held by the
// test (the store's `syncFile`, which is fdatasync on libuv's pool otherwise).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageUnavailable, UniqueViolation, type Merchant, type Persistence } from '../../app/ports/persistence.js';
import { openSqliteStore } from './sqlite.js';
import { CHECKPOINT_EVERY, CHECKPOINT_EVERY_COMMITS, WalCheckpoints } from './wal-checkpoints.js';
import { WalSync, type SyncFile } from './wal-sync.js';

const merchant = (id: string): Merchant => ({ id, name: id, testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1_767_225_600_000 });

/** Whether `promise` has settled after the event loop has turned a few times (SQLite answers synchronously). */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** fsyncs on the pool the test lets return one at a time (or fail); those made at once are counted. */
function heldSyncs() {
  const waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let calls = 0;
  let atOnce = 0;
  const syncFile: SyncFile = Object.assign(
    () => {
      calls++;
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    { atOnce: () => void atOnce++ },
  );
  return {
    syncFile,
    calls: () => calls,
    atOnce: () => atOnce,
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
    await store.migrate();
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

  /** Two transactions that arrive together: one COMMIT, whose fsync is made on the pool. */
  const twoTogether = (a: string, b: string) => Promise.all([a, b].map((id) => store.transaction((tx) => tx.insertMerchant(merchant(id)))));

  it('the transactions of a batch resolve only once the fsync after their COMMIT has returned', async () => {
    const calls = syncs.calls();
    const writing = twoTogether('m_1', 'm_2');
    await vi.waitFor(() => expect(committed('m_2')).toBe(true));
    expect(await settledSoon(writing)).toBe(false);
    expect(syncs.calls()).toBe(calls + 1);
    await syncs.release();
    await writing;
  });

  it('a lone transaction, the server not busy, is fsynced at once, as SQLite would have, without the pool', async () => {
    const [calls, atOnce] = [syncs.calls(), syncs.atOnce()];
    await store.transaction((tx) => tx.insertMerchant(merchant('m_1')));
    expect(syncs.atOnce()).toBe(atOnce + 1);
    expect(syncs.calls()).toBe(calls);
  });

  it('a read that saw a COMMIT whose fsync is still running answers once it has returned', async () => {
    const writing = twoTogether('m_1', 'm_2');
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
    const first = twoTogether('m_first', 'm_second');
    await vi.waitFor(() => expect(committed('m_second')).toBe(true));
    const calls = syncs.calls();
    // one after another, each in a batch of its own (a transaction after the last has committed):
    // alone, but an fsync is running, so each waits for the next
    const later: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      later.push(store.transaction((tx) => tx.insertMerchant(merchant(`m_${i}`))));
      await vi.waitFor(() => expect(committed(`m_${i}`)).toBe(true));
    }
    expect(store.groupCommit!.commits).toBeGreaterThanOrEqual(6);
    expect(syncs.atOnce()).toBe(0);
    expect(syncs.calls()).toBe(calls); // the first's fsync is still running: no other began
    await syncs.release();
    await first;
    await syncs.release(); // one fsync for the five
    await Promise.all(later);
    expect(syncs.calls()).toBe(calls + 1);
  });

  it('a failed fsync fails the transactions that waited for it, and every later one and read, as StorageUnavailable', async () => {
    const writing = twoTogether('m_1', 'm_2');
    await vi.waitFor(() => expect(committed('m_2')).toBe(true));
    await syncs.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(writing).rejects.toBeInstanceOf(StorageUnavailable);
    // the kernel may have dropped what it could not write: nothing after it can be called durable,
    // and nothing more is committed (it would be told 503 and be there all the same)
    await expect(store.transaction((tx) => tx.insertMerchant(merchant('m_3')))).rejects.toBeInstanceOf(StorageUnavailable);
    expect(committed('m_3')).toBe(false);
    await expect(store.read.getMerchant('m_1')).rejects.toBeInstanceOf(StorageUnavailable);
  });

  it('a transaction refused on what an earlier batch committed is told once that is durable, as a success would be', async () => {
    const writing = twoTogether('m_1', 'm_2');
    await vi.waitFor(() => expect(committed('m_2')).toBe(true));
    // each sees m_1, which a power cut could still take back
    const refused = store.transaction(async (tx) => {
      if (await tx.getMerchant('m_1')) throw new Error('refused: m_1 is there');
    });
    const duplicate = store.transaction((tx) => tx.insertMerchant(merchant('m_1')));
    expect(await settledSoon(refused)).toBe(false);
    expect(await settledSoon(duplicate)).toBe(false);
    await syncs.release();
    await writing;
    await expect(refused).rejects.toThrow('refused: m_1 is there');
    await expect(duplicate).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('a transaction refused on what an earlier one of its own batch wrote is told with the batch: not before its fsync, and failed with it', async () => {
    const calls = syncs.calls();
    const [first, duplicate] = [store.transaction((tx) => tx.insertMerchant(merchant('m_1'))), store.transaction((tx) => tx.insertMerchant(merchant('m_1')))];
    await vi.waitFor(() => expect(committed('m_1')).toBe(true));
    expect(syncs.calls()).toBe(calls + 1); // one batch, one COMMIT
    expect(await settledSoon(duplicate)).toBe(false);
    await syncs.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(first).rejects.toBeInstanceOf(StorageUnavailable);
    // not "a duplicate" of a row a power cut may have taken back
    await expect(duplicate).rejects.toBeInstanceOf(StorageUnavailable);
  });

  it('closing takes no more transactions and waits for those under way to be told', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writing = store.transaction(async (tx) => {
      await tx.insertMerchant(merchant('m_1'));
      await held;
    });
    const closing = store.close();
    await expect(store.transaction((tx) => tx.insertMerchant(merchant('m_2')))).rejects.toBeInstanceOf(StorageUnavailable);
    expect(await settledSoon(closing)).toBe(false);
    release();
    await writing;
    await closing;
    expect(committed('m_1')).toBe(true);
    store = openSqliteStore(file, { syncFile: syncs.syncFile }); // for afterEach
  });

  it('what another process committed (a CLI command beside the server) is made durable by ours before a read shows it', async () => {
    const other = new SqliteDatabase(file);
    try {
      other.pragma('synchronous = OFF'); // its own fsync, if any, comes later
      other.prepare('insert into merchants (id, name, created_at) values (?, ?, 0)').run('m_other', 'm_other');
    } finally {
      other.close();
    }
    const calls = syncs.calls();
    const reading = store.read.getMerchant('m_other');
    expect(await settledSoon(reading)).toBe(false);
    expect(syncs.calls()).toBe(calls + 1);
    await syncs.release();
    expect((await reading)?.id).toBe('m_other');
  });
});

describe('WalSync', () => {
  it('a log it cannot open fails what waits, and is tried again, rather than failing everything for good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgate-walsync-'));
    try {
      const wal = new WalSync(join(dir, 'posgate.db'));
      wal.commitMade(); // no posgate.db-wal: it cannot be opened
      await expect(wal.durable()).rejects.toBeInstanceOf(StorageUnavailable);
      expect(wal.failed).toBeNull();
      writeFileSync(join(dir, 'posgate.db-wal'), '');
      await wal.durable();
      expect(wal.syncs).toBe(1);
      await wal.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it(`copies the log into the database file after ${CHECKPOINT_EVERY} transactions or ${CHECKPOINT_EVERY_COMMITS} COMMITs, which the writer no longer does`, async () => {
    const file = join(dir, 'posgate.db');
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    const checkpoints = new WalCheckpoints(file, (on) => database.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`));
    try {
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      database.exec('create table t (n integer)');
      const insert = database.prepare('insert into t values (?)');
      const fileSize = statSync(file).size;
      // batches: the transactions count
      for (let n = 1; n < 4; n++) {
        insert.run(n);
        checkpoints.committed(CHECKPOINT_EVERY / 4);
      }
      expect(checkpoints.running()).toBeNull();
      insert.run(4);
      checkpoints.committed(CHECKPOINT_EVERY / 4);
      expect(checkpoints.running()).not.toBeNull();
      await checkpoints.running();
      expect(checkpoints.made).toBe(1);
      expect(statSync(file).size).toBeGreaterThan(fileSize); // the table's pages, copied from the log
      // transactions one at a time: the COMMITs count
      for (let n = 1; n < CHECKPOINT_EVERY_COMMITS; n++) checkpoints.committed(1);
      expect(checkpoints.running()).toBeNull();
      checkpoints.committed(1);
      await checkpoints.running();
      expect(checkpoints.made).toBe(2);
    } finally {
      await checkpoints.close();
      database.close();
    }
  });

  it('under a steady load of transactions the log stays bounded: no batch begins while a checkpoint runs, so each COMMIT after one reuses the log from its start', async () => {
    const file = join(dir, 'posgate.db');
    const store = openSqliteStore(file);
    try {
      await store.migrate();
      // 3 KB a transaction, four writers keeping the queue full: 24 MB written through the log
      const big = (id: string): Merchant => ({ ...merchant(id), name: id.padEnd(3000, 'x') });
      let made = 0;
      let largest = 0;
      const writer = async () => {
        while (made < 8000) {
          const id = `m_${made++}`;
          await store.transaction((tx) => tx.insertMerchant(big(id)));
          largest = Math.max(largest, statSync(`${file}-wal`).size);
        }
      };
      await Promise.all([writer(), writer(), writer(), writer()]);
      expect(largest).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await store.close();
    }
  });

  it('once closed, a COMMIT still made while the store closes neither starts a worker nor asks for a checkpoint', async () => {
    const file = join(dir, 'posgate.db');
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    const selfCheckpointing = vi.fn();
    const checkpoints = new WalCheckpoints(file, selfCheckpointing);
    try {
      checkpoints.committed(1); // the worker starts
      await checkpoints.close();
      database.close(); // the writer is gone: giving it its checkpoints back now would throw
      checkpoints.committed(CHECKPOINT_EVERY);
      expect(checkpoints.running()).toBeNull();
      expect(selfCheckpointing).toHaveBeenLastCalledWith(false);
    } finally {
      if (database.open) database.close();
    }
  });

  it('a worker that cannot do its work gives the writer its own checkpoints back', async () => {
    const selfCheckpointing = vi.fn();
    const checkpoints = new WalCheckpoints(join(dir, 'missing.db'), selfCheckpointing);
    expect(selfCheckpointing).toHaveBeenLastCalledWith(false);
    checkpoints.committed(CHECKPOINT_EVERY);
    await checkpoints.running();
    expect(selfCheckpointing).toHaveBeenLastCalledWith(true);
    // and asks it for none again
    checkpoints.committed(CHECKPOINT_EVERY);
    expect(checkpoints.running()).toBeNull();
    await checkpoints.close();
  });
});
