import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// where test/postgres.ts connects: POSGATE_TEST_PG_URL, else the local server
const pgUrl = new URL(process.env.POSGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const PG_HOST = pgUrl.hostname;
const PG_PORT = Number(pgUrl.port || 5432);

/** Is a PostgreSQL server listening where the PostgreSQL suites expect one? */
function postgresReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(PG_PORT, PG_HOST, () => done(true));
  });
}

// the browser suites drive Debian's chromium (playwright-core never downloads one)
const CHROMIUM = '/usr/bin/chromium';

const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig(async () => {
  const pgUp = await postgresReachable();
  if (!pgUp && process.env.POSGATE_REQUIRE_PG === '1') {
    throw new Error(`POSGATE_REQUIRE_PG=1 but no PostgreSQL answers at ${PG_HOST}:${PG_PORT} (user postgres, database test).`);
  }
  if (!pgUp && !process.env.POSGATE_PG_SKIP_REPORTED) {
    process.env.POSGATE_PG_SKIP_REPORTED = '1'; // the config is read more than once per run: say it once
    console.warn(
      `\n*** PostgreSQL suites SKIPPED: no server at ${PG_HOST}:${PG_PORT}. Only the SQLite suites run.\n` +
        '*** To run them, start PostgreSQL there (user postgres, database test, no password) or set POSGATE_TEST_PG_URL.\n',
    );
  }
  const chromiumThere = existsSync(CHROMIUM);
  if (!chromiumThere && process.env.POSGATE_REQUIRE_BROWSER === '1') {
    throw new Error(`POSGATE_REQUIRE_BROWSER=1 but there is no ${CHROMIUM} (apt-get install chromium).`);
  }
  if (!chromiumThere && !process.env.POSGATE_BROWSER_SKIP_REPORTED) {
    process.env.POSGATE_BROWSER_SKIP_REPORTED = '1';
    console.warn(`\n*** Browser suites SKIPPED: no ${CHROMIUM} (apt-get install chromium).\n`);
  }
  const sqlite = {
    extends: true,
    test: {
      ...common,
      name: 'sqlite',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/*.pg.test.ts', '**/node_modules/**', 'test/browser/**'],
    },
  };
  // The patron's pages in a real chromium, against a gateway on SQLite: once, not per driver.
  const browser = {
    extends: true,
    test: { ...common, name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000, env: { POSGATE_TEST_DRIVER: 'sqlite' } },
  };
  // The same end-to-end suites again on PostgreSQL (each gateway in its own schema), plus the
  // driver's contract run and the multi-process suites.
  const postgres = {
    extends: true,
    test: {
      ...common,
      name: 'postgres',
      include: ['src/**/*.pg.test.ts', 'test/**/*.pg.test.ts', 'test/e2e/**/*.test.ts', 'test/dialects/**/*.test.ts'],
      env: { POSGATE_TEST_DRIVER: 'postgres' },
    },
  };
  // Files run side by side, at least two at once: they wait on fsync, PostgreSQL and child
  // processes for about a third of their time, and vitest's default (one less than the cores) ran
  // them one at a time on a 2-core machine with a third of its CPU idle (24 min against 15).
  const maxWorkers = Math.max(2, availableParallelism() - 1);
  return { test: { maxWorkers, projects: [sqlite, ...(pgUp ? [postgres] : []), ...(chromiumThere ? [browser] : [])] } };
});
