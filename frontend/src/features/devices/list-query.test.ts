import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lifecycleStates } from '@/features/api/types';
import { queryWith } from '@/features/shell/query-string';
import { apiQuery, type DeviceListQuery, parseDeviceListQuery, sortFields } from './list-query';

const controlCharacter = /\p{Cc}/u;

describe('parseDeviceListQuery', () => {
  it('gives the defaults for an empty query', () => {
    expect(parseDeviceListQuery({})).toEqual({
      q: '',
      state: '',
      sort: 'serialNumber',
      order: 'asc',
      cursor: '',
    });
  });

  it('keeps known values', () => {
    expect(
      parseDeviceListQuery({ q: 'SN-1', state: 'active', sort: 'updatedAt', order: 'desc', cursor: 'abc' }),
    ).toEqual({ q: 'SN-1', state: 'active', sort: 'updatedAt', order: 'desc', cursor: 'abc' });
  });

  it('drops an unknown state and sort, and any order but desc', () => {
    const query = parseDeviceListQuery({ state: 'stolen', sort: 'password', order: 'DESC' });
    expect(query.state).toBe('');
    expect(query.sort).toBe('serialNumber');
    expect(query.order).toBe('asc');
  });

  it('trims q, removes control characters and keeps at most 64 characters', () => {
    expect(parseDeviceListQuery({ q: '  SN-\u0000\u001f42\u007f  ' }).q).toBe('SN-42');
    expect(parseDeviceListQuery({ q: `\n\t${'x'.repeat(100)}` }).q).toBe('x'.repeat(64));
  });

  it('takes the first value of a repeated parameter', () => {
    const query = parseDeviceListQuery({
      q: ['first', 'second'],
      state: ['suspended', 'active'],
      sort: ['createdAt', 'updatedAt'],
      order: ['desc', 'asc'],
      cursor: ['c1', 'c2'],
    });
    expect(query).toEqual({ q: 'first', state: 'suspended', sort: 'createdAt', order: 'desc', cursor: 'c1' });
    expect(parseDeviceListQuery({ q: [], state: [] })).toMatchObject({ q: '', state: '' });
  });

  it('keeps at most 512 characters of the cursor', () => {
    expect(parseDeviceListQuery({ cursor: 'c'.repeat(600) }).cursor).toHaveLength(512);
  });

  it('always gives allowed values, whatever the input', () => {
    // Any code point, with control characters and spaces often, and lengths well beyond 64.
    const unit = fc.oneof(
      fc.constantFrom('\u0000', '\t', '\n', '\u001b', '\u007f', '\u0085', '\u009f', ' '),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit, maxLength: 200, size: 'max' });
    const value = fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(undefined));
    const known = fc.constantFrom(...lifecycleStates, ...sortFields, 'asc', 'desc');
    const raw = fc.record(
      {
        q: value,
        state: fc.oneof(value, known),
        sort: fc.oneof(value, known),
        order: fc.oneof(value, known),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(raw, fc.dictionary(fc.string(), value)), (input) => {
        const query = parseDeviceListQuery(input);
        expect(['', ...lifecycleStates]).toContain(query.state);
        expect(sortFields).toContain(query.sort);
        expect(['asc', 'desc']).toContain(query.order);
        expect(query.q.length).toBeLessThanOrEqual(64);
        expect(query.q).not.toMatch(controlCharacter);
      }),
    );
  });
});

const query: DeviceListQuery = { q: 'SN', state: 'active', sort: 'createdAt', order: 'desc', cursor: 'next' };

describe('apiQuery', () => {
  it("maps the page's query to the API's names, with a page size", () => {
    expect(apiQuery(query)).toEqual({
      serialPrefix: 'SN',
      lifecycleState: 'active',
      sort: 'createdAt',
      order: 'desc',
      cursor: 'next',
      limit: 20,
    });
    expect(apiQuery(query, 50).limit).toBe(50);
  });
});

describe('queryWith on the device list query', () => {
  it('applies the change and leaves out empty values', () => {
    expect(queryWith(query, { state: '', cursor: '' })).toEqual({
      q: 'SN',
      sort: 'createdAt',
      order: 'desc',
    });
    expect(queryWith(parseDeviceListQuery({}), { q: 'AB' })).toEqual({
      q: 'AB',
      sort: 'serialNumber',
      order: 'asc',
    });
  });

  it('does not change the query it was given', () => {
    queryWith(query, { q: 'other' });
    expect(query.q).toBe('SN');
  });
});
