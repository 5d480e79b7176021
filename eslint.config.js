// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox and knows the rest of the platform only
// through contracts/ (activity interfaces, messages, ids) and the spec: nothing else, not even
// as a type, so a workflow can never reach I/O or code that the bundle should not hold.
/** Import patterns for the platform's own folders, at any depth (`../../db/client.js`), not packages. */
const folderImports = (...folders) => folders.flatMap((folder) => [`**/${folder}/*`, `**/${folder}/**`]);

const otherFolders = folderImports(
  'activities',
  'cli',
  'client',
  'codec',
  'config',
  'data',
  'db',
  'ml',
  'reports',
  'scripts',
  'serving',
  'stack',
  'storage',
  'workers',
);
const workflowForbiddenImports = {
  paths: [
    { name: 'pg', message: 'Workflows do no I/O: use an activity.' },
    { name: 'drizzle-orm', message: 'Workflows do no I/O: use an activity.' },
  ],
  patterns: [
    {
      group: otherFolders,
      message: 'Workflows import contracts/ and spec/ only: activity types and messages live in contracts/.',
    },
    { group: ['drizzle-orm/*', 'pg-*', '@aws-sdk/*', '@duckdb/*'], message: 'Workflows do no I/O.' },
    { group: ['node:*'], message: 'Node APIs are not available in the workflow sandbox.' },
    {
      group: ['@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
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
  ...folderImports('db', 'storage'),
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
    // CommonJS modules the SDK require()s by path (codec/failure-converter.cjs).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', exports: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
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
      [...serviceImports, ...folderImports('activities')],
      'ml/ knows nothing about Temporal, S3 or Postgres.',
    ),
  },
  {
    // Reports are pure rendering: data in, an HTML string out.
    files: ['reports/**/*.ts'],
    rules: restrictImports(
      ['node:*', ...serviceImports, ...folderImports('activities'), '@duckdb/*'],
      'reports/ renders; it does no I/O.',
    ),
  },
  {
    // Activities are called by workflows and hosted by workers: they import neither, nor the CLI,
    // the client or the stack launcher; their queries live in db/queries/, not inline.
    files: ['activities/**/*.ts'],
    rules: restrictImports(
      [
        ...folderImports('workflows', 'workers', 'cli', 'client', 'stack', 'serving'),
        '**/db/schema.js',
        'drizzle-orm',
      ],
      'activities/ call ml/, data/, db/queries/, storage/ and reports/; workflows, workers and tables are not theirs to import.',
    ),
  },
  {
    // contracts/ is what every side agrees on: types, constants, message definitions, pure helpers.
    files: ['contracts/**/*.ts'],
    rules: restrictImports(
      [
        ...serviceImports.filter((pattern) => !pattern.startsWith('@temporalio')),
        'node:*',
        '@temporalio/activity',
        '@temporalio/worker',
        '@temporalio/client',
        ...folderImports(
          'activities',
          'workflows',
          'workers',
          'cli',
          'client',
          'stack',
          'serving',
          'config',
          'data',
        ),
      ],
      'contracts/ holds what workflows, activities and clients agree on: nothing with I/O.',
    ),
  },
  {
    // The embedded-stack launcher starts services; it knows nothing of what runs on them.
    files: ['stack/**/*.ts'],
    rules: restrictImports(
      folderImports('activities', 'workflows', 'workers', 'cli', 'client', 'serving', 'db'),
      'stack/ starts Temporal, PostgreSQL and S3 for the CLI and tests: it imports config/, storage/ and contracts/ only.',
    ),
  },
  {
    // data/ works on local files through DuckDB; S3, Postgres and Temporal belong to activities.
    files: ['data/**/*.ts'],
    rules: restrictImports(
      [...serviceImports, ...folderImports('activities')],
      'data/ knows local files and DuckDB only.',
    ),
  },
);
