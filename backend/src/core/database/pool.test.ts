import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './pool.js';

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-25 00:18:14.170123+00', '2026-11-25T00:18:14.170Z'],
    ['2026-11-25 00:18:14.1+00', '2026-11-25T00:18:14.100Z'],
    ['2026-11-25 00:18:14+00', '2026-11-25T00:18:14.000Z'],
    ['2026-11-25 01:18:14.5+01', '2026-11-25T00:18:14.500Z'],
    ['2026-11-24 19:18:14.5-05:00', '2026-11-25T00:18:14.500Z'],
  ])('reads %s as %s, like Date#toISOString', (text, iso) => {
    expect(parseTimestamp(text)).toBe(iso);
    expect(parseTimestamp(text)).toBe(new Date(iso).toISOString());
  });
});
