import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Real sockets and child processes: one file at a time per worker, and generous hook timeouts.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
