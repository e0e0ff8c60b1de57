/**
 * Vitest for the audit workspace alone: a pure library, so no database and none of the repository's
 * global setup. From the repository root: npx vitest run --config audit/vitest.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
