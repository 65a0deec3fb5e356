// The SQLite driver: the shared storage contract on a real file, plus what only this driver promises
// (durability pragmas, data surviving a reopen).
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Persistence, Tx } from '../../app/ports/persistence.js';
import { runStoreContract } from '../store.contract.js';
import { openSqliteStore } from './sqlite.js';

const dirs: string[] = [];
/** A fresh database file in its own temp directory (not :memory:: WAL and fsync need a real file). */
function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'posgate-sqlite-'));
  dirs.push(dir);
  return join(dir, 'data', 'posgate.db');
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

let lastFile = '';
runStoreContract('sqlite store contract', async () => openSqliteStore((lastFile = freshFile())), async (statement) => {
  const connection = new SqliteDatabase(lastFile);
  try {
    connection.exec(statement);
  } finally {
    connection.close();
  }
});

describe('sqlite driver', () => {
  let store: Persistence | undefined;

  afterEach(async () => {
    vi.restoreAllMocks();
    await store?.close();
    store = undefined;
  });

  it('opens the file in WAL mode, its COMMITs fsynced off the thread and its checkpoints made by another connection (wal-sync.ts, wal-checkpoints.ts)', async () => {
    // synchronous is per connection: capture the connection the driver opens to ask it, not a second one
    const pragma = vi.spyOn(SqliteDatabase.prototype, 'pragma');
    const file = freshFile();
    store = openSqliteStore(file);
    await store.migrate();
    const connection = pragma.mock.contexts[0] as SqliteDatabase.Database;
    expect(connection).toBeInstanceOf(SqliteDatabase);
    expect(connection.name).toBe(file);
    expect(connection.pragma('journal_mode', { simple: true })).toBe('wal');
    // NORMAL: COMMIT writes the log and wal-sync.ts fsyncs it before anything depends on it
    expect(connection.pragma('synchronous', { simple: true })).toBe(1);
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(connection.pragma('foreign_keys', { simple: true })).toBe(1);
    // the savepoints' journal stays in memory (drivers/sqlite.ts says why): 2 is MEMORY
    expect(connection.pragma('temp_store', { simple: true })).toBe(2);

    // WAL is a property of the file: any other connection sees it too
    const other = new SqliteDatabase(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('lets another process write between a transaction\'s read and its write: the transaction waits for it, where it used to fail "database is locked"', async () => {
    const file = freshFile();
    store = openSqliteStore(file);
    await store.migrate();
    const setup = new SqliteDatabase(file);
    setup.exec('create table other_process (n integer)');
    setup.close();
    // another process's connection (a CLI command beside the server): a thread with its own, which
    // waits at most 100 ms for the lock
    const other = new Worker(`
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
      const { parentPort, workerData } = require('node:worker_threads');
      const db = new Database(workerData, { timeout: 100 });
      parentPort.on('message', (n) => {
        try { db.prepare('insert into other_process values (?)').run(n); parentPort.postMessage('written'); }
        catch (error) { parentPort.postMessage(error.code); }
      });`, { eval: true, workerData: file });
    const write = (n: number) => new Promise<string>((done, fail) => {
      other.once('message', done);
      other.once('error', fail);
      other.postMessage(n);
    });
    try {
      const whileOpen = await store.transaction(async (tx) => {
        expect(await tx.getDialectRecord('toy', 'payment_request', 'between')).toBeNull();
        const outcome = await write(1);
        await tx.putDialectRecord({ dialect: 'toy', kind: 'payment_request', key: 'between', data: {}, createdAt: 1, updatedAt: 1 });
        return outcome;
      });
      // the transaction held the write lock from its start: the other process waited, and got it once it committed
      expect(whileOpen).toBe('SQLITE_BUSY');
      expect(await write(2)).toBe('written');
      expect((await store.read.getDialectRecord('toy', 'payment_request', 'between'))?.key).toBe('between');
    } finally {
      await other.terminate();
    }
  });

  it('keeps what was committed across close and reopen', async () => {
    const file = freshFile();
    const first = openSqliteStore(file);
    await first.migrate();
    await first.transaction(async (tx) => {
      await tx.insertMerchant({ id: 'm_1', name: 'Merchant One', testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1_767_225_600_000 });
      await tx.setSetting('instance_id', 'abc');
    });
    await first.close();

    store = openSqliteStore(file);
    await store.migrate();
    expect(await store.read.getMerchant('m_1')).toStrictEqual({ id: 'm_1', name: 'Merchant One', testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1_767_225_600_000 });
    expect(await store.read.getSetting('instance_id')).toBe('abc');
  });

  it('closes every file it opened on close, the read-only connection too, though its reads never went through Kysely', async () => {
    // a file left open keeps a disk busy (an unmount fails) and a data dir locked for the next process
    const openFiles = (file: string) => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
      } catch {
        return false; // closed since it was listed
      }
    });
    const file = freshFile();
    const opened = openSqliteStore(file);
    await opened.migrate();
    expect(await opened.read.getMerchant('m_1')).toBeNull();
    expect(openFiles(file).length).toBeGreaterThanOrEqual(2);
    await opened.close();
    expect(openFiles(file)).toEqual([]);
  });

  it('refuses a query of a transaction that has ended, rather than run it inside whichever transaction holds the writer then', async () => {
    // a transaction's compiled queries run on the writer directly (compiled.ts, runCompiledAtOnce):
    // a stray one after its unit ended would otherwise write into the next batch
    store = openSqliteStore(freshFile());
    await store.migrate();
    const open = store;
    let kept: Tx | undefined;
    await open.transaction(async (tx) => {
      kept = tx;
      await tx.setSetting('inside', 'yes');
    });
    await expect(open.transaction(async () => kept!.getMerchant('m_1'))).rejects.toThrow(/transaction that has ended/);
    await expect(open.transaction(async () => kept!.setSetting('stray', 'no'))).rejects.toThrow(/transaction that has ended/);
    // the same while its batch is still open: two transactions begun together share one (group commit)
    let first: Tx | undefined;
    const before = { ...open.groupCommit! };
    const together = [
      open.transaction(async (tx) => {
        first = tx;
        await tx.setSetting('first', 'yes');
      }),
      open.transaction(async (tx) => {
        await tx.setSetting('second', 'yes');
        await expect(first!.setSetting('stray', 'no')).rejects.toThrow(/transaction that has ended/); // built through Kysely
        await expect(first!.getMerchant('m_2')).rejects.toThrow(/transaction that has ended/); // compiled, run at once
      }),
    ];
    await Promise.all(together);
    expect({ commits: open.groupCommit!.commits - before.commits, transactions: open.groupCommit!.transactions - before.transactions }).toEqual({ commits: 1, transactions: 2 });
    for (const key of ['inside', 'first', 'second']) expect(await open.read.getSetting(key)).toBe('yes');
    expect(await open.read.getSetting('stray')).toBeNull();
  });
});
