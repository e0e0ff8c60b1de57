/** RFC 8785 canonical JSON: the RFC's own examples, and the strictness that keeps hashed data honest. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from './canonical.js';

describe('canonicalJson (RFC 8785)', () => {
  it('reproduces the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serialises every finite number of RFC 8785 Appendix B as the RFC does', () => {
    const fromBits = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);
    const samples: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of samples) expect(canonicalJson(fromBits(bits)), bits).toBe(text);
    // The non-finite rows of the table are errors.
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson(fromBits(bits))).toThrow(TypeError);
    }
  });

  it('is independent of member order and a fixed point of parse-and-canonicalise', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJson(reverseMembers(value))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('canonicalBytes is the UTF-8 of canonicalJson', () => {
    expect(canonicalBytes({ b: 'é', a: [1, 2] }).equals(Buffer.from('{"a":[1,2],"b":"é"}', 'utf8'))).toBe(
      true,
    );
  });

  it('accepts null-prototype objects and shared (non-circular) references', () => {
    const bare = Object.assign(Object.create(null), { z: 1, a: null });
    const shared = { x: 1 };
    expect(canonicalJson(bare)).toBe('{"a":null,"z":1}');
    expect(canonicalJson({ p: shared, q: [shared, shared] })).toBe('{"p":{"x":1},"q":[{"x":1},{"x":1}]}');
  });

  it('survives very deep nesting without overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(canonicalJson(deep)).toHaveLength(200_001);
  });

  it('refuses what JSON cannot represent faithfully, naming where it is', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const holey: number[] = [];
    holey[0] = 1;
    holey[2] = 3;
    const circularArray: unknown[] = [];
    circularArray.push({ back: circularArray });
    const rejected: [unknown, RegExp][] = [
      [undefined, /\$: it is undefined/],
      [{ a: { b: undefined } }, /\$\.a\.b: it is undefined/],
      [[1, undefined], /\$\[1\]: it is undefined/],
      [holey, /\$\[1\]: it is an array hole/],
      [{ n: Number.NaN }, /\$\.n: it is the non-finite number NaN/],
      [{ n: Number.POSITIVE_INFINITY }, /Infinity/],
      [[Number.NEGATIVE_INFINITY], /-Infinity/],
      [{ big: 1n }, /type bigint/],
      [{ s: Symbol('x') }, /type symbol/],
      [{ f: () => 1 }, /type function/],
      [{ 'odd key': new Date(0) }, /\$\["odd key"\]: it is an object of class Date/],
      [new Map([[1, 2]]), /class Map/],
      [{ buf: Buffer.from('x') }, /class Buffer/],
      [new (class Event {})(), /class Event/],
      [Object(1), /class Number/],
      [circular, /\$\.self: it is a circular reference/],
      [circularArray, /\$\[0\]\.back: it is a circular reference/],
      [{ s: 'lone \ud800 surrogate' }, /lone UTF-16 surrogate/],
      [{ '\udc00': 1 }, /member whose name has a lone UTF-16 surrogate/],
    ];
    for (const [value, message] of rejected) {
      expect(() => canonicalJson(value)).toThrow(TypeError);
      expect(() => canonicalJson(value)).toThrow(message);
    }
  });
});

function reverseMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseMembers);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).reverse();
    return Object.fromEntries(entries.map(([k, v]) => [k, reverseMembers(v)]));
  }
  return value;
}
