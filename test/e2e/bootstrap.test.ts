import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDemoMerchant } from '../../src/app/use-cases/bootstrap.js';
import { openApp } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config.js';

describe('first start', () => {
  it('concurrent first starts create one demo merchant and all get the same credentials', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posgate-bootstrap-'));
    const { app, close } = await openApp(loadConfig({ DATA_DIR: dataDir }));
    try {
      const results = await Promise.all([ensureDemoMerchant(app), ensureDemoMerchant(app), ensureDemoMerchant(app)]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => JSON.stringify(r.credentials))).size).toBe(1);
      expect((await app.store.read.listMerchants({ limit: 10 })).items).toHaveLength(1);
    } finally {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
