// The layer map of design.md is enforced by lint rules; this proves the rules bite.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/core/clock.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['src/core/money2.ts', "import { z } from 'zod';\nexport const x = z;"],
    ['src/core/x.ts', "import { App } from '../app/context.js';\nexport type X = App;"],
    ['src/app/use-cases/x.ts', "import Fastify from 'fastify';\nexport const x = Fastify;"],
    ['src/app/use-cases/y.ts', "import { Kysely } from 'kysely';\nexport const x = Kysely;"],
    ['src/app/use-cases/z.ts', "import { openDatabase } from '../../storage/open.js';\nexport const x = openDatabase;"],
    ['src/app/use-cases/w.ts', "import { systemClock } from '../../system/clock.js';\nexport const x = systemClock;"],
    ['src/dialects/native/x.ts', "import { sql } from 'kysely';\nexport const x = sql;"],
    ['src/dialects/native/y.ts', "import { openDatabase } from '../../storage/open.js';\nexport const x = openDatabase;"],
    ['src/dialects/native/x.ts', "import { buildServer } from '../../http/server.js';\nexport const x = buildServer;"],
    ['src/storage/x.ts', "import { nativeApi } from '../dialects/native/index.js';\nexport const x = nativeApi;"],
  ])('%s may not import that', async (file, source) => {
    expect(await importErrors(file, source)).not.toEqual([]);
  });

  it.each([
    ['src/core/x.ts', "import { DomainError } from './errors.js';\nexport const x = DomainError;"],
    ['src/app/use-cases/x.ts', "import { DomainError } from '../../core/errors.js';\nexport const x = DomainError;"],
    ['src/dialects/native/x.ts', "import { execute } from '../../app/unit-of-work.js';\nexport const x = execute;"],
  ])('%s may import inwards', async (file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});
