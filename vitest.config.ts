import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // SQLite files and ports are per test file, so files can run in parallel safely.
    pool: 'forks',
  },
});
