import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

// Two projects in one run. Inline projects inherit the root config, so the root itself holds
// nothing but the list: each project's settings stay its own (the web app's tests must not start
// PostgreSQL). `vitest run --project frontend` runs only the web app's tests.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: {
          // Tests run the workspaces' TypeScript sources, not their build output.
          alias: {
            '@custos/policies': path('./policies/src/index.ts'),
            '@custos/audit': path('./audit/src/index.ts'),
            '@custos/firmware': path('./firmware/src/index.ts'),
          },
        },
        test: {
          name: 'backend',
          include: [
            '{backend,policies,audit}/src/**/*.test.ts',
            'tests/**/*.test.ts',
            'firmware/src/**/*.test.ts',
          ],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        // The web app's units and client components, in jsdom (server-side modules opt into the
        // node environment with a `// @vitest-environment node` comment). No database.
        resolve: {
          alias: [
            { find: /^@\//, replacement: `${path('./frontend/src')}/` },
            // A marker that throws outside React Server Components; its empty variant for tests.
            { find: /^server-only$/, replacement: path('./node_modules/server-only/empty.js') },
          ],
        },
        oxc: { jsx: { runtime: 'automatic' } },
        test: {
          name: 'frontend',
          include: ['frontend/src/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
