import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportBody } from './export-body';

// Off UTC (and not by whole hours), so a time read as local would show.
beforeAll(() => {
  vi.stubEnv('TZ', 'Asia/Kathmandu');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('exportBody', () => {
  it('accepts an empty form (the whole trail)', () => {
    expect(exportBody({})).toEqual({});
    expect(exportBody({ from: '', to: '', tenantId: '' })).toEqual({});
  });

  it('turns the period into UTC times and keeps the tenant', () => {
    expect(exportBody({ from: '2026-01-01T00:00', to: '2026-02-01T00:00:30', tenantId: 'tenant-a' })).toEqual(
      {
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-02-01T00:00:30.000Z',
        tenantId: 'tenant-a',
      },
    );
  });

  it('ignores fields it does not know', () => {
    expect(exportBody({ tenantId: 't', limit: 5, format: 'zip' })).toEqual({ tenantId: 't' });
  });

  it.for<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'from'],
    ['a number', 42],
    ['a boolean', true],
    ['an empty array', []],
    ['an array of fields', [{ from: '2026-01-01T00:00' }]],
  ])('rejects %s', ([, input]) => {
    expect(exportBody(input)).toBeUndefined();
  });

  it.each([
    { from: 'yesterday' },
    { to: '2026-01-01' },
    { from: 1_767_225_600_000 },
    { to: null },
    { from: ['2026-01-01T00:00'] },
    { from: '2026-01-01T00:00', to: '2026-03-32T00:00' },
  ])('rejects a period it cannot read: %j', (input) => {
    expect(exportBody(input)).toBeUndefined();
  });

  it.each([{ tenantId: 42 }, { tenantId: null }, { tenantId: ['a'] }, { tenantId: 't'.repeat(65) }])(
    'rejects a tenant that is not a short string: %j',
    (input) => {
      expect(exportBody(input)).toBeUndefined();
    },
  );

  it('accepts a tenant of 64 characters', () => {
    expect(exportBody({ tenantId: 't'.repeat(64) })).toEqual({ tenantId: 't'.repeat(64) });
  });

  it('never throws, and gives undefined or an object of strings, for any JSON value', () => {
    // Form-like objects too, so that the later checks are reached, not only the first.
    const time = fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .chain((date) => fc.constantFrom(date.toISOString().slice(0, 16), date.toISOString().slice(0, 19)));
    const field = (valid: fc.Arbitrary<string>) =>
      fc.oneof(valid, fc.constant(''), fc.constant(undefined), fc.jsonValue());
    const input = fc.oneof(
      fc.jsonValue(),
      fc.record({ from: field(time), to: field(time), tenantId: field(fc.string({ maxLength: 80 })) }),
    );
    fc.assert(
      fc.property(input, (value) => {
        const body = exportBody(value);
        if (body === undefined) return;
        expect(typeof body).toBe('object');
        expect(Array.isArray(body)).toBe(false);
        for (const [name, field] of Object.entries(body)) {
          expect(['from', 'to', 'tenantId']).toContain(name);
          expect(typeof field).toBe('string');
        }
      }),
    );
  });
});
