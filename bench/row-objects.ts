// `npx tsx bench/row-objects.ts`: what one payment request's row costs to read on SQLite, as
// better-sqlite3's own object and as the array that src/storage/drivers/row-objects.ts turns into
// an object in JavaScript (the way every statement of posgate's SQLite store reads now). Rows of
// 300 requests made through the API; 50,000 point reads each way, three rounds; prints µs per row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { objectsFromArrays } from '../src/storage/drivers/row-objects.js';
import { createOneRequest } from './scenarios.js';

const READS = 50_000;
const dataDir = mkdtempSync(join(tmpdir(), 'posgate-rows-'));
try {
  const gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', POSGATE_DEMO: 'true', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
  const ids: string[] = [];
  try {
    const baseUrl = await gateway.listen();
    const { secretKey, terminalId } = gateway.demo.native;
    for (let i = 0; i < 300; i++) ids.push(await createOneRequest({ baseUrl, secretKey, terminalId }));
  } finally {
    await gateway.close();
  }
  const db = new Database(join(dataDir, 'posgate.sqlite'), { readonly: true });
  const sql = 'select * from payment_requests where id = ?';
  const ways = { 'better-sqlite3 object': db.prepare(sql), 'array made an object (row-objects.ts)': objectsFromArrays(db.prepare(sql)) };
  for (let round = 1; round <= 3; round++) {
    const figures = Object.entries(ways).map(([name, statement]) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < READS; i++) statement.all([ids[i % ids.length]]);
      return `${name} ${(Number(process.hrtime.bigint() - started) / READS / 1000).toFixed(1)} µs`;
    });
    console.log(`round ${round}: ${figures.join(', ')} per row`);
  }
  db.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
