// `npx tsx bench/statements.ts [--pg]`: how many SQL statements (BEGIN and COMMIT included) and
// durable COMMITs one create, sandbox payment, refund, read and list cost, through the native API and
// a dialect's (Centrapay's), on SQLite (and PostgreSQL with --pg, in a fresh schema dropped after).
// Counted by bench/sql-counter.ts: exact and repeatable, unlike a timing. `npm run bench` prints the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { countOperations, operationsTable, type OperationCounts } from './operations.js';
import { assertLoopbackDatabase, BENCH_PG_URL, checkDatabase, dropSchema, freshSchemaName } from './postgres.js';
import { installSqlCounter } from './sql-counter.js';

/**
 * Counts the operations on a fresh in-process gateway (no background loop) with `env` as its
 * settings; a temp DATA_DIR of its own unless `env` names one (the bench passes one it cleans up).
 */
export async function countOnFreshGateway(env: Record<string, string>): Promise<OperationCounts> {
  installSqlCounter();
  const ownDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'posgate-statements-')) : null;
  try {
    const gateway = await createGateway(loadConfig({ DATA_DIR: ownDir ?? '', PORT: '0', HOST: '127.0.0.1', POSGATE_DEMO: 'true', ...env }), { logger: createLogger('silent'), background: false });
    try {
      const baseUrl = await gateway.listen();
      const { secretKey, terminalId } = gateway.demo.native;
      return await countOperations({ baseUrl, secretKey, terminalId, centrapay: gateway.demo.centrapay as { apiKey: string; configId: string } });
    } finally {
      await gateway.close();
    }
  } finally {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
}

async function main(args: string[]): Promise<void> {
  const unknown = args.filter((arg) => arg !== '--pg');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}; usage: npx tsx bench/statements.ts [--pg]`);
  const columns = [{ title: 'SQLite', counts: await countOnFreshGateway({}) }];
  if (args.includes('--pg')) {
    assertLoopbackDatabase(BENCH_PG_URL);
    await checkDatabase(BENCH_PG_URL);
    const schema = freshSchemaName();
    try {
      columns.push({ title: 'PostgreSQL', counts: await countOnFreshGateway({ DATABASE_URL: BENCH_PG_URL, DATABASE_SCHEMA: schema }) });
    } finally {
      await dropSchema(BENCH_PG_URL, schema);
    }
  }
  console.log(operationsTable(columns));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`statements: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
