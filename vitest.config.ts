import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Lab tests create network namespaces with fixed names; running files in
    // parallel is fine because each lab prefixes its namespaces uniquely.
    pool: 'forks',
  },
});
