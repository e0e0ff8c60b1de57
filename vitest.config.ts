import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the workspaces' TypeScript sources, not their build output.
    alias: {
      '@custos/policies': fileURLToPath(new URL('./policies/src/index.ts', import.meta.url)),
      '@custos/audit': fileURLToPath(new URL('./audit/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['{backend,policies,audit}/src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
