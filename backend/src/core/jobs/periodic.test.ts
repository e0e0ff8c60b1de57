import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPeriodically } from './periodic.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('runPeriodically', () => {
  it('skips ticks while a run is still going, reports failures, and stop waits for the run', async () => {
    let finish: () => void = () => undefined;
    let runs = 0;
    const errors: string[] = [];
    const job = runPeriodically(
      100,
      async () => {
        runs += 1;
        if (runs === 2) throw new Error('boom');
        if (runs === 1) await new Promise<void>((resolve) => (finish = resolve));
      },
      (error) => errors.push(error.message),
    );
    await vi.advanceTimersByTimeAsync(350);
    expect(runs).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(errors).toEqual(['boom']);
    await vi.advanceTimersByTimeAsync(100);
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await stopping;
    expect(stopped).toBe(true);
    const before = runs;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(before);
  });
});
