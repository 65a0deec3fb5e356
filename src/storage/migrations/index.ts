// Migrations are plain modules listed here in order; the driver tells them its few differences.
import type { ColumnDataType, ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as webhooks from './0002-webhooks.js';
import * as patronSide from './0003-patron-side.js';
import * as dialects from './0004-dialects.js';
import * as statusChecks from './0005-status-checks.js';
import * as channelCommands from './0006-channel-commands.js';
import * as dialectRecords from './0007-dialect-records.js';
import * as credentialSets from './0008-credential-sets.js';
import * as dashboard from './0009-dashboard.js';
import * as authorizationsDue from './0010-authorizations-due.js';
import * as testClockLimit from './0011-test-clock-limit.js';
import * as rowInvariants from './0012-row-invariants.js';

export interface MigrationDialect {
  /** The column type of an auto-incrementing key. */
  autoIncrementType: ColumnDataType;
  autoIncrement(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

type Step = { up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> };
const STEPS: Record<string, Step> = { '0001-initial': initial, '0002-webhooks': webhooks, '0003-patron-side': patronSide, '0004-dialects': dialects, '0005-status-checks': statusChecks, '0006-channel-commands': channelCommands, '0007-dialect-records': dialectRecords, '0008-credential-sets': credentialSets, '0009-dashboard': dashboard, '0010-authorizations-due': authorizationsDue, '0011-test-clock-limit': testClockLimit, '0012-row-invariants': rowInvariants };

export function migrationProvider(dialect: MigrationDialect): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(STEPS)) migrations[name] = { up: (db) => step.up(db, dialect) };
      return migrations;
    },
  };
}
