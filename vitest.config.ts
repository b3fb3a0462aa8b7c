import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2 cores: two files at a time keeps timing-sensitive tests honest
    maxWorkers: 2,
    reporters: ['default'],
  },
});
