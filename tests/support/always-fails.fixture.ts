/** Run only by tests/e2e/exit-code.test.ts: a deliberately failing test, to prove failures fail the run. */
import { expect, it } from 'vitest';

it('fails on purpose', () => {
  expect(1 + 1).toBe(3);
});
