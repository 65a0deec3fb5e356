// Lint rules, including the layer map of design.md (core ← app ← adapters ← http/cli/main)
// enforced as import restrictions so a wrong-way dependency fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const outerLayers = ['storage', 'delivery', 'connectors', 'dialects', 'web', 'http', 'cli', 'observability', 'config', 'system'];
const layerPatterns = (layers) => layers.map((l) => ({ group: [`**/${l}/**`, `../${l}`, `../../${l}`], message: `this layer may not import ${l}/ (see design.md, Layers)` }));
const frameworkPaths = ['fastify', 'kysely', 'better-sqlite3', 'pg', 'pino', 'prom-client', 'commander'].map((name) => ({
  name,
  message: 'use cases and the core stay framework-free (see design.md, Layers)',
}));

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='parseFloat']", message: 'No float in the money path: use core/money.' }],
    },
  },
  {
    // tests read API JSON of many shapes; typing every body would add noise, not safety
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../*', 'node:*'], message: 'core/ imports nothing outside itself: no I/O, no other layer' },
          { regex: '^[^.]', message: 'core/ imports no package: it is pure domain' },
        ],
      }],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: frameworkPaths,
        patterns: [...layerPatterns(outerLayers), { group: ['fastify*', '@fastify/*'], message: 'use cases never import Fastify' }],
      }],
    },
  },
  {
    files: ['src/dialects/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['kysely', 'better-sqlite3', 'pg'].map((name) => ({ name, message: 'a dialect never writes SQL' })),
        // dialects sit below http: the server mounts them, they never reach back into it
        patterns: layerPatterns(['storage', 'http', 'cli']),
      }],
    },
  },
  {
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['kysely', 'better-sqlite3', 'pg'].map((name) => ({ name, message: 'pages never touch the database: they call use cases' })),
        patterns: [...layerPatterns(['storage', 'http', 'cli']), { group: ['**/dialects/native/**'], message: 'pages use dialects/shared, not one dialect' }],
      }],
    },
  },
  {
    files: ['src/storage/**/*.ts', 'src/connectors/**/*.ts', 'src/delivery/**/*.ts', 'src/system/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...layerPatterns(['http', 'cli', 'dialects', 'web']), { group: ['fastify*', '@fastify/*'], message: 'adapters below http never import Fastify' }],
      }],
    },
  },
);
