import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{edge,gateway,firmware-sim,dashboards}/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // End-to-end tests open real TCP ports and SQLite files; two workers suit a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
