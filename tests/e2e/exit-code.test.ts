/**
 * A failing test must fail `npm test` and CI. Guards against anything in the suite's process (such
 * as a dependency's exit hook) resetting the exit code to 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

it('exits non-zero when a test fails', { timeout: 120_000 }, async () => {
  const child = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'tests/support/exit-code.vitest.config.ts'],
    { cwd: root, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(output).toMatch(/1 failed/);
  expect(code, output).toBe(1);
});
