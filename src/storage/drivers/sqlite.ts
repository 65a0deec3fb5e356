// The embedded default: SQLite through better-sqlite3, durable (WAL, each COMMIT fsynced before
// anything depends on it: wal-sync.ts) so an acknowledged payment survives a power cut. One
// server process owns the file; CLI commands write beside it (see ImmediateSqliteDriver).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig, type SqliteDatabase as KyselySqlite } from 'kysely';
import { StorageUnavailable, type Persistence } from '../../app/ports/persistence.js';
import type { RunAtOnce } from '../compiled.js';
import { KyselyTx } from '../kysely-tx.js';
import { migrationProvider } from '../migrations/index.js';
import { GroupCommit } from './group-commit.js';
import { wrappingReads } from './wrapping-reads.js';
import { withStatementCache } from './statement-cache.js';
import { WalCheckpoints } from './wal-checkpoints.js';
import { WalSync, type SyncFile } from './wal-sync.js';
import { UNIQUE, type Database } from '../schema.js';

/** SQLite names columns, not indexes, in its unique-violation message: map them back to our names. */
const COLUMNS_TO_CONSTRAINT: Record<string, string> = {
  'payment_requests.terminal_id, payment_requests.livemode': UNIQUE.oneActivePerTerminal,
  'payment_requests.merchant_id, payment_requests.livemode, payment_requests.reference': UNIQUE.reference,
  'payment_requests.short_code': UNIQUE.shortCode,
  'refunds.payment_request_id, refunds.reference': UNIQUE.refundReference,
  'idempotency_keys.credential_id, idempotency_keys.method, idempotency_keys.path, idempotency_keys.key': UNIQUE.idempotencyKey,
  'events.object_id, events.sequence': UNIQUE.eventSequence,
  'terminals.merchant_id, terminals.name': UNIQUE.terminalName,
  'settings.key': UNIQUE.setting,
  'terminals.pos_id': UNIQUE.terminalPosId,
  'dialect_credentials.dialect, dialect_credentials.lookup': UNIQUE.dialectLookup,
  'dialect_credentials.merchant_id, dialect_credentials.dialect': UNIQUE.dialectPerMerchant,
  'users.email': UNIQUE.userEmail,
};

export function classifySqliteUnique(error: unknown): string | null {
  const e = error as { code?: string; message?: string };
  if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
  const columns = (e.message ?? '').replace(/^UNIQUE constraint failed: /, '');
  return COLUMNS_TO_CONSTRAINT[columns] ?? columns;
}

const FEATURES = { skipLocked: false, singleWriter: true };

/**
 * The disk, not the statement, failed: full, read-only, an I/O error, a file that cannot be opened.
 * The transaction did not commit (SQLite rolls it back); retrying once space or access returns is
 * the remedy (503), not a bug (500).
 */
const DISK_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|NOMEM|PROTOCOL|NOLFS)/;

export function isDiskFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && DISK_CODES.test(code);
}

/** SQLite's "database is locked": another connection held the lock longer than busy_timeout. */
const isBusy = (error: unknown) => String((error as { code?: unknown })?.code).startsWith('SQLITE_BUSY');

/**
 * Counts the disk failures of every statement run on the connection (COMMIT and ROLLBACK included),
 * and calls `ended` after each statement that may have ended a transaction that wrote (a COMMIT,
 * or a write outside a transaction).
 */
function watchingDisk(database: KyselySqlite, disk: { failures: number; last: unknown }, ended: () => void = () => undefined): KyselySqlite {
  const watch = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (isDiskFailure(error)) {
        disk.failures++;
        disk.last = error;
      }
      throw error;
    }
  };
  // one watched statement per prepared one (the cache below hands out the same statement again)
  const watched = new WeakMap<object, ReturnType<KyselySqlite['prepare']>>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const statement = watch(() => database.prepare(sql));
      let wrapped = watched.get(statement);
      if (!wrapped) {
        wrapped = {
          reader: statement.reader,
          all: (parameters: ReadonlyArray<unknown>) => {
            const rows = watch(() => statement.all(parameters));
            // a write with RETURNING is a reader too; COMMIT counts as read-only, but is run()
            if (!(statement as { readonly?: boolean }).readonly) ended();
            return rows;
          },
          run: (parameters: ReadonlyArray<unknown>) => {
            try {
              return watch(() => statement.run(parameters));
            } finally {
              if (sql !== 'rollback') ended(); // (a failed COMMIT may have written part of the log)
            }
          },
          iterate: (parameters: ReadonlyArray<unknown>) => watch(() => statement.iterate(parameters)),
        };
        watched.set(statement, wrapped);
      }
      return wrapped;
    },
  };
}

/** Runs a compiled query as Kysely's SQLite connection does, without its promises (storage/compiled.ts). */
function runningAtOnce(connection: KyselySqlite): RunAtOnce {
  return ({ sql }, parameters) => {
    const statement = connection.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };
}

/** Turns a failure of the disk into StorageUnavailable; anything else stays as it is. */
function mapError(error: unknown): unknown {
  return isDiskFailure(error) ? new StorageUnavailable(error) : error;
}


/**
 * The writer's transactions begin IMMEDIATE, taking SQLite's write lock at once. Another process
 * may write the same file (a CLI command beside the server, `posgate users create`). A transaction
 * begun DEFERRED that has read fails its first write at once with "database is locked", without
 * waiting (busy_timeout does not apply to it): when the other process holds the write lock then,
 * and when it has committed since the transaction began (SQLITE_BUSY_SNAPSHOT: what was read is
 * gone). Begun IMMEDIATE it waits at its start for the other's commit (busy_timeout; better-sqlite3
 * is synchronous, so the thread waits), then reads what is there now.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class WriterDialect extends SqliteDialect {
  constructor(private readonly writerConfig: SqliteDialectConfig) {
    super(writerConfig);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.writerConfig);
  }
}

/** How many transactions one COMMIT may carry: enough to share the fsync, few enough to keep a batch short. */
const MAX_BATCH = 64;

export function openSqliteStore(file: string, options: { syncFile?: SyncFile } = {}): Persistence {
  const onDisk = file !== ':memory:';
  if (onDisk) mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  // first: setting the journal mode reads the file, which another process may hold for a moment
  database.pragma('busy_timeout = 5000');
  // (a file system that cannot share memory between connections keeps another journal: FULL then)
  const walMode = database.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  // COMMIT writes the log without an fsync, which wal-sync.ts makes off this thread before the
  // COMMIT's transactions resolve or a read shows what they wrote: as durable as FULL, without the
  // server's thread waiting for the disk
  const wal = walMode ? new WalSync(file, options.syncFile) : null;
  database.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  // and checkpoints are made on a thread of their own (wal-checkpoints.ts)
  const checkpoints = wal ? new WalCheckpoints(file, (on) => database.open && database.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`)) : null;
  database.pragma('foreign_keys = ON');
  // Each unit of a group commit runs in a savepoint, whose undo pages go to a statement journal.
  // Past 64 KiB (a few units of a batch) SQLite spills that journal to a temp file, and every page a
  // later unit touches first is written there: half of a create's insert time. It is never read
  // after a crash (an unfinished transaction is simply absent from the WAL), so memory loses no
  // durability. Its size is that of the pages a batch changes, so a large write is made in chunks
  // (the hourly purge of idempotency keys: use-cases/sweeps.ts). The reader keeps the default, and
  // so do migrations (migrate, below).
  database.pragma('temp_store = MEMORY');
  const disk = { failures: 0, last: null as unknown };
  const writer = watchingDisk(withStatementCache(database), disk, () => {
    if (!database.inTransaction) wal?.commitMade(group.runningAlone);
  });
  // Another process writing the file (a CLI command beside the server) commits without our fsync
  // until its own: what it committed is made durable here too before it is shown or acted on.
  // data_version changes only with another connection's COMMIT (the reader and the checkpoints make none).
  const dataVersion = wal ? database.prepare('pragma data_version').pluck() : null;
  let otherWrites = dataVersion?.get();
  const durable = () => {
    if (!wal) return null;
    let version: unknown;
    try {
      version = dataVersion!.get();
    } catch (error) {
      return Promise.reject(new StorageUnavailable(error));
    }
    if (version !== otherWrites) {
      otherWrites = version;
      wal.commitMade();
    }
    return wal.durable();
  };
  const db = new Kysely<Database>({ dialect: new WriterDialect({ database: writer }) });
  const onWriter = runningAtOnce(writer);
  // Reads outside a transaction get a connection of their own: in WAL mode it sees what has
  // committed, never a batch in progress, and never waits for the writer.
  const readOnly = !onDisk ? null : new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  readOnly?.pragma('busy_timeout = 5000');
  const reader = readOnly ? watchingDisk(withStatementCache(readOnly), disk) : null;
  const readDb = reader ? new Kysely<Database>({ dialect: new SqliteDialect({ database: reader }) }) : db;
  const group = new GroupCommit(db, {
    maxBatch: MAX_BATCH,
    // another process held the write lock past busy_timeout (BEGIN IMMEDIATE): that, not an earlier disk failure, is the cause
    batchFailed: (error) => (error instanceof StorageUnavailable ? error : new StorageUnavailable(isDiskFailure(error) || isBusy(error) ? error : disk.last ?? error)),
    // a disk failure makes SQLite roll the whole transaction back by itself
    transactionLost: () => !database.inTransaction,
    runAtOnce: (statement) => writer.prepare(statement).run([]),
    durable,
    // after a failed fsync nothing more is committed: it would be told 503 and be there all the same
    ready: () => (wal?.failed ? Promise.reject(wal.failed) : checkpoints?.running() ?? null),
    committed: (transactions) => checkpoints?.committed(transactions),
  });
  return {
    driver: 'sqlite',
    // (on :memory: the reads share the writer, so they wait, through Kysely, for its transaction to end)
    read: wrappingReads(new KyselyTx(readDb, classifySqliteUnique, FEATURES, reader ? runningAtOnce(reader) : undefined), mapError, wal ? durable : undefined),
    groupCommit: group.stats,
    // one writer: the transactions queue and share their COMMIT (drivers/group-commit.ts)
    async transaction(work) {
      try {
        return await group.run(async (trx) => {
          // the writer is this unit's alone while its work runs (the group runs one unit at a time),
          // and its queries are refused once it is over, when the next unit of the batch may run
          const tx = new KyselyTx(trx, classifySqliteUnique, FEATURES, onWriter);
          try {
            return await work(tx);
          } finally {
            tx.end();
          }
        });
      } catch (error) {
        throw mapError(error);
      }
    },
    async migrate() {
      const migrator = new Migrator({
        db,
        provider: migrationProvider({ autoIncrementType: 'integer', autoIncrement: (c) => c.autoIncrement() }),
      });
      // a migration may index a large table: its sort spills to a temp file, not to memory
      database.pragma('temp_store = DEFAULT');
      try {
        const { error } = await migrator.migrateToLatest();
        if (error) throw error;
      } finally {
        database.pragma('temp_store = MEMORY');
      }
    },
    async close() {
      // first no more transactions, then the log's fsync and checkpoints, while the log is the file
      // our descriptor holds (closing the last connection deletes it)
      await group.close();
      await checkpoints?.close();
      await wal?.close();
      if (readDb !== db) await readDb.destroy();
      await db.destroy();
      // Kysely closes only a connection it has used itself, and the compiled queries bypass it
      // (runningAtOnce): the read-only connection may never have been. Closing twice is harmless.
      readOnly?.close();
      database.close();
    },
  };
}
