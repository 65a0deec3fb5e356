import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDemoMerchant } from '../../src/app/use-cases/bootstrap.js';
import { openApp } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { credentialIssuers } from '../../src/dialects/dialect.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { createGateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';

const CREDENTIAL_ISSUERS = credentialIssuers(DIALECTS);

describe('first start', () => {
  it('concurrent first starts create one demo merchant and all get the same credentials', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posgate-bootstrap-'));
    const { app, close } = await openApp(loadConfig({ DATA_DIR: dataDir }));
    try {
      const results = await Promise.all([1, 2, 3].map(() => ensureDemoMerchant(app, CREDENTIAL_ISSUERS)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => JSON.stringify(r.credentials))).size).toBe(1);
      expect((await app.db.read.listMerchants({ limit: 10 })).items).toHaveLength(1);
    } finally {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a demo merchant made before a dialect existed gets that set on the next start, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posgate-bootstrap-'));
    const { app, close } = await openApp(loadConfig({ DATA_DIR: dataDir }));
    try {
      const before = await ensureDemoMerchant(app);
      expect(before.credentials.mobilepay).toBeUndefined();
      const upgraded = await Promise.all([1, 2].map(() => ensureDemoMerchant(app, CREDENTIAL_ISSUERS)));
      expect(upgraded.every((r) => !r.created)).toBe(true);
      expect(upgraded[0]?.credentials.native).toEqual(before.credentials.native);
      expect(upgraded[0]?.credentials.mobilepay).toMatchObject({ terminalId: 'till-1' });
      expect(upgraded[1]?.credentials).toEqual(upgraded[0]?.credentials);
      expect((await ensureDemoMerchant(app, CREDENTIAL_ISSUERS)).credentials).toEqual(upgraded[0]?.credentials);
    } finally {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a first start that cannot listen (its port taken) makes no admin token: the next start makes and shows one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posgate-bootstrap-'));
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const port = String((taken.address() as { port: number }).port);
    const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
    try {
      const first = await createGateway(loadConfig({ ...env, PORT: port }), { logger: createLogger('silent'), background: false });
      try {
        await expect(first.listen()).rejects.toThrow(/EADDRINUSE/);
        expect(first.generatedAdminToken).toBeNull();
      } finally {
        await first.close();
      }
      const second = await createGateway(loadConfig({ ...env, PORT: '0' }), { logger: createLogger('silent'), background: false });
      try {
        await second.listen();
        expect(second.generatedAdminToken).toMatch(/^adm_/);
        const merchants = await fetch(`${second.url}/admin/v1/merchants`, { headers: { authorization: `Bearer ${second.generatedAdminToken}` } });
        expect(merchants.status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
