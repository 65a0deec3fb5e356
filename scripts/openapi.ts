// Writes the native API's OpenAPI document to packages/client/openapi.json: @posgate/client's types
// are generated from it, and `npm run lint` runs Redocly on it. test/contract/openapi.test.ts fails
// when it differs from what a running gateway serves: then run `npm run openapi`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';

export const DOCUMENT_PATH = fileURLToPath(new URL('../packages/client/openapi.json', import.meta.url));
/** The `servers` entry of the checked-in document: the default address of `npm start`. */
export const DEFAULT_SERVER = 'http://localhost:8080';

/** The document as checked in: pretty, with the default server, ending in a newline. */
export function documentText(document: Record<string, unknown>): string {
  return `${JSON.stringify({ ...document, servers: [{ url: DEFAULT_SERVER, description: 'This gateway' }] }, null, 2)}\n`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'posgate-openapi-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: DEFAULT_SERVER, POSGATE_ADMIN_TOKEN: 'adm_openapi_script_0123456789abcdef', LOG_LEVEL: 'silent' });
    const gateway = await createGateway(config, { background: false, logger: createLogger('silent') });
    try {
      const response = await gateway.server.inject({ method: 'GET', url: '/openapi.json' });
      writeFileSync(DOCUMENT_PATH, documentText(response.json()));
      process.stdout.write(`wrote ${DOCUMENT_PATH}\n`);
    } finally {
      await gateway.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
