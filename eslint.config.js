// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: anything that does I/O or reads the
// environment may appear there only as a type.
const workflowForbiddenImports = {
  paths: [
    { name: 'pg', allowTypeImports: true, message: 'Workflows do no I/O: use an activity.' },
    { name: 'drizzle-orm', allowTypeImports: true, message: 'Workflows do no I/O: use an activity.' },
  ],
  patterns: [
    {
      group: ['**/activities', '**/activities/**'],
      allowTypeImports: true,
      message: 'Import activities as types and call them through proxyActivities.',
    },
    { group: ['**/db', '**/db/**'], allowTypeImports: true, message: 'Workflows do no I/O.' },
    {
      group: ['**/config', '**/config/**'],
      allowTypeImports: true,
      message: 'Workflows never read configuration: pass what they need in their input.',
    },
    {
      group: ['**/storage', '**/storage/**'],
      allowTypeImports: true,
      message: 'Workflows do no I/O.',
    },
    { group: ['drizzle-orm/*', 'pg-*'], allowTypeImports: true, message: 'Workflows do no I/O.' },
    { group: ['@aws-sdk/*'], allowTypeImports: true, message: 'Workflows do no I/O: use an activity.' },
    {
      group: ['node:*'],
      allowTypeImports: true,
      message: 'Node APIs are not available in the workflow sandbox.',
    },
    {
      group: ['@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
      allowTypeImports: true,
      message: 'Workflows use @temporalio/workflow only.',
    },
  ],
};

// Temporal, the database and S3: what the pure layers (ml/, data/, reports/) may not import.
const serviceImports = [
  '@temporalio/*',
  'pg',
  'drizzle-orm',
  'drizzle-orm/*',
  '@aws-sdk/*',
  // At any depth: ml/gbdt/x.ts reaches the database as '../../db/client.js'.
  '**/db',
  '**/db/**',
  '**/storage',
  '**/storage/**',
];

/** `no-restricted-imports` for one group of import patterns, with the message a violation shows. */
const restrictImports = (group, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.mlops/',
      'coverage/',
      'db/migrations/',
      '**/.venv*/',
      'test/artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowForbiddenImports] },
  },
  {
    // ml/ is pure computation: no Temporal, storage or database.
    files: ['ml/**/*.ts'],
    ignores: ['ml/**/*.worker.ts', 'ml/runner/**'],
    rules: restrictImports(
      [...serviceImports, '**/activities', '**/activities/**'],
      'ml/ knows nothing about Temporal, S3 or Postgres.',
    ),
  },
  {
    // Reports are pure rendering: data in, an HTML string out.
    files: ['reports/**/*.ts'],
    rules: restrictImports(
      ['node:*', ...serviceImports, '**/activities', '**/activities/**', '@duckdb/*'],
      'reports/ renders; it does no I/O.',
    ),
  },
  {
    // data/ works on local files through DuckDB; S3, Postgres and Temporal belong to activities.
    files: ['data/**/*.ts'],
    rules: restrictImports(
      [...serviceImports, '**/activities', '**/activities/**'],
      'data/ knows local files and DuckDB only.',
    ),
  },
);
