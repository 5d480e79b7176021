import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (ml/, config, keys) run freely; integration tests share one
// embedded stack per run (test/global-setup.ts) and run in forked processes (the Temporal
// worker's native module needs them), two at a time on our two cores.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Pure tests first: they fail fast and need no services.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/ml/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
