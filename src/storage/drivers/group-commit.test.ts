// Group commit on the SQLite driver (drivers/group-commit.ts), on a real file: transactions that
// arrive together share one COMMIT, and each still fails or succeeds on its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation, type Merchant, type Persistence } from '../../app/ports/persistence.js';
import { GroupCommit } from './group-commit.js';
import { openSqliteStore } from './sqlite.js';

const merchant = (id: string): Merchant => ({ id, name: id, testClockOffsetMs: 0, underpaymentToleranceBps: 0, timeZone: null, createdAt: 1_767_225_600_000 });

describe('SQLite group commit', () => {
  let dir: string;
  let store: Persistence;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posgate-group-'));
    store = openSqliteStore(join(dir, 'posgate.db'));
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commits = () => store.groupCommit!.commits;

  it('a lone transaction commits at once, in a COMMIT of its own', async () => {
    const before = commits();
    await store.transaction((tx) => tx.insertMerchant(merchant('m_alone')));
    expect(commits()).toBe(before + 1);
    expect(await store.read.getMerchant('m_alone')).not.toBeNull();
  });

  it('transactions that arrive together share COMMITs; every one is durable once it resolves', async () => {
    const before = { ...store.groupCommit! };
    const ids = Array.from({ length: 40 }, (_, i) => `m_${i}`);
    await Promise.all(ids.map((id) => store.transaction((tx) => tx.insertMerchant(merchant(id)))));
    expect(store.groupCommit!.transactions - before.transactions).toBe(40);
    expect(commits() - before.commits).toBeLessThan(40);
    for (const id of ids) expect(await store.read.getMerchant(id)).not.toBeNull();
  });

  it('one that fails is undone alone and told so; the others of its batch commit', async () => {
    const results = await Promise.allSettled([
      store.transaction((tx) => tx.insertMerchant(merchant('m_a'))),
      store.transaction(async (tx) => {
        await tx.insertMerchant(merchant('m_b'));
        throw new Error('the use case refused');
      }),
      store.transaction((tx) => tx.insertMerchant(merchant('m_a'))), // the same id again: a unique violation
      store.transaction((tx) => tx.insertMerchant(merchant('m_c'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('the use case refused');
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(UniqueViolation);
    expect(await store.read.getMerchant('m_a')).not.toBeNull();
    expect(await store.read.getMerchant('m_b')).toBeNull();
    expect(await store.read.getMerchant('m_c')).not.toBeNull();
  });

  it('reads outside a transaction see what has committed, never a batch in progress, and do not wait for it', async () => {
    let letCommit!: () => void;
    const held = new Promise<void>((resolve) => (letCommit = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const writing = store.transaction(async (tx) => {
      await tx.insertMerchant(merchant('m_pending'));
      inserted();
      await held; // the batch stays open
    });
    await insertedYet;
    expect(await store.read.getMerchant('m_pending')).toBeNull();
    letCommit();
    await writing;
    expect(await store.read.getMerchant('m_pending')).not.toBeNull();
  });
});

describe('GroupCommit', () => {
  it('a durable hook that throws fails the batch instead of leaving it untold', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
    try {
      const group = new GroupCommit(db, {
        maxBatch: 64,
        batchFailed: (error) => error,
        transactionLost: () => false,
        durable: () => {
          throw new Error('data_version: disk I/O error');
        },
      });
      await expect(group.run(async () => 'done')).rejects.toThrow('disk I/O error');
      await expect(group.run(async () => Promise.reject(new Error('refused')))).rejects.toThrow('disk I/O error');
      await group.close();
    } finally {
      await db.destroy();
    }
  }, 5_000); // (without the fix the batch is never told: fail fast rather than at the suite's 30 s)
});
