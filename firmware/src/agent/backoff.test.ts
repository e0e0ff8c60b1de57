import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('draws each delay between 0 and a ceiling that doubles from the base up to the maximum', () => {
    const top = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999_999 });
    expect(Array.from({ length: 6 }, () => top.next())).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect(Array.from({ length: 3 }, () => bottom.next())).toEqual([0, 0, 0]);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    const values = [0.1, 0.5, 0.9];
    const backoff = new Backoff({ baseMs: 1000, maxMs: 1000, random: () => values.shift() ?? 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 500, 900]);
  });

  it('starts over after a success', () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 10_000, random: () => 0.5 });
    for (let i = 0; i < 5; i++) backoff.next();
    expect(backoff.failures).toBe(5);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(5);
  });

  it('stays finite after any number of failures', () => {
    const backoff = new Backoff({ baseMs: 1, maxMs: 60_000, random: () => 0.5 });
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });

  it('refuses a base that is not positive or above the maximum', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, maxMs: 50 })).toThrow(RangeError);
  });
});
