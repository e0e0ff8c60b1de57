// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveSeries } from './live-series';

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 8, 0, s)).toISOString();

describe('LiveSeries', () => {
  it('keeps points in time order, drops repeats and summarises each numeric metric', () => {
    const series = new LiveSeries(10);
    expect(series.add({ measuredAt: at(2), seq: 2, metrics: { temperature: 5, doorOpen: true } })).toBe(true);
    expect(series.add({ measuredAt: at(1), seq: 1, metrics: { temperature: 3, battery: 90 } })).toBe(true);
    expect(series.add({ measuredAt: at(2), seq: 2, metrics: { temperature: 5 } })).toBe(false);
    expect(series.metrics()).toEqual(['temperature', 'battery']);
    expect(series.columns(['temperature', 'battery'])).toEqual([
      [Date.parse(at(1)) / 1000, Date.parse(at(2)) / 1000],
      [3, 5],
      [90, null],
    ]);
    expect(series.summary()).toEqual([
      { metric: 'temperature', latest: 5, min: 3, max: 5 },
      { metric: 'battery', latest: 90, min: 90, max: 90 },
    ]);
  });

  it('never holds more than its capacity, keeps the newest, and stays sorted, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            s: fc.integer({ min: 0, max: 59 }),
            seq: fc.nat(5),
            v: fc.double({ noNaN: true, min: -50, max: 50 }),
          }),
          {
            maxLength: 80,
          },
        ),
        (arrivals) => {
          const series = new LiveSeries(20);
          for (const { s, seq, v } of arrivals)
            series.add({ measuredAt: at(s), seq, metrics: { temperature: v } });
          const [times] = series.columns(['temperature']);
          expect(series.size).toBeLessThanOrEqual(20);
          expect([...times].sort((a, b) => a - b)).toEqual(times);
          expect(series.size).toBeLessThanOrEqual(new Set(arrivals.map((a) => `${a.s}|${a.seq}`)).size);
        },
      ),
    );
  });

  it('keeps exactly the newest points when they arrive in time order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 60 }), (seconds) => {
        const sorted = [...seconds].sort((a, b) => a - b);
        const series = new LiveSeries(20);
        for (const s of sorted) series.add({ measuredAt: at(s), seq: 0, metrics: { temperature: s } });
        expect(series.columns(['temperature'])[1]).toEqual(sorted.slice(-20));
      }),
    );
  });
});
