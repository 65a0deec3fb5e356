// The embedded default: SQLite through better-sqlite3, durable (WAL, synchronous=FULL) so an
// acknowledged payment survives a power cut. One process owns the file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { StorePort } from '../../app/ports/store.js';
import { KyselyTx } from '../kysely-tx.js';
import { migrationProvider } from '../migrations/index.js';
import { withStatementCache } from './statement-cache.js';
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
};

export function classifySqliteUnique(error: unknown): string | null {
  const e = error as { code?: string; message?: string };
  if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
  const columns = (e.message ?? '').replace(/^UNIQUE constraint failed: /, '');
  return COLUMNS_TO_CONSTRAINT[columns] ?? columns;
}

const FEATURES = { skipLocked: false };

export function openSqliteStore(file: string): StorePort {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    driver: 'sqlite',
    read: new KyselyTx(db, classifySqliteUnique, FEATURES),
    // Kysely's SQLite driver runs one transaction at a time on its single connection: writers queue.
    transaction: (work) => db.transaction().execute((trx) => work(new KyselyTx(trx, classifySqliteUnique, FEATURES))),
    async migrate() {
      const migrator = new Migrator({
        db,
        provider: migrationProvider({ autoIncrementType: 'integer', autoIncrement: (c) => c.autoIncrement() }),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    },
    close: () => db.destroy(),
  };
}
