/** fast-check generators of bad input: bodies, path segments, query strings, header values, tokens. */

import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import type { z } from 'zod';

/** Any code point (NUL and lone surrogates included), graphemes, and a few classics. */
export const junkString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\u202e',
    '😀'.repeat(300),
    'x'.repeat(70_000),
    "'; DROP TABLE devices; --",
  ),
);

const deepNest = fc.integer({ min: 50, max: 400 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
});

export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  junkString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.dictionary(junkString, junkString, { maxKeys: 40 }),
  fc.array(junkString, { maxLength: 5 }),
  deepNest,
);

/** The JSON text a client would send; undefined values vanish exactly as on the wire. */
const wire = (value: unknown) => JSON.stringify(value) ?? '';
const parses = (text: string, schema: z.ZodType) => {
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
};

/**
 * JSON bodies the route's schema rejects: valid bodies with one member replaced by junk (or an
 * extra/poisonous member), and arbitrary JSON. Filtered on the wire text, so nothing valid is sent.
 */
export function invalidBodies(valid: Record<string, unknown>, schema: z.ZodType): fc.Arbitrary<string> {
  const member = fc.constantFrom(...Object.keys(valid), 'extra', '__proto__', 'constructor', '');
  const nearValid = fc.tuple(member, junkValue).map(([key, value]) => wire({ ...valid, [key]: value }));
  const omitted = fc
    .subarray(Object.keys(valid), { minLength: 1 })
    .map((drop) => wire(Object.fromEntries(Object.entries(valid).filter(([k]) => !drop.includes(k)))));
  const arbitrary = fc.oneof(fc.jsonValue({ stringUnit: 'binary' }), fc.object(), fc.anything()).map(wire);
  return fc.oneof(nearValid, nearValid, omitted, arbitrary).filter((text) => !parses(text, schema));
}

/** Strings that pass a `z.string()` but are not text a database can store: NUL, or a lone surrogate. */
export const poisoned = (kind: 'NUL' | 'lone surrogate') =>
  fc
    .tuple(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(...(kind === 'NUL' ? ['\u0000'] : ['\ud800', '\udfff'])),
    )
    .map(([text, bad]) => `${text}${bad}${text}`);

/** Every byte percent-encoded, so any string (even a lone surrogate) becomes a URL path segment. */
export const percentEncoded = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A path segment where an id should be: junk text, unknown uuids, very long, broken escapes, dot segments. */
export const badIdSegment = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 50 }).map(percentEncoded),
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,60}$/),
    fc.uuid(),
    fc.uuid().map((u) => `{${u}}`),
    fc.uuid().map((u) => u.replaceAll('-', '')),
    fc.string({ unit: 'binary-ascii', minLength: 101, maxLength: 500 }).map(encodeURIComponent),
    fc.stringMatching(/^%[0-9A-Za-z%]{0,3}$/),
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '..%2f..%2fetc%2fpasswd',
      '%2F',
      '%00',
      '%C0%AE',
      '%E0%A4%A',
      'null',
      '-1',
    ),
  )
  .filter((segment) => {
    // `/users/me` is a real route: never generate a segment that spells it.
    try {
      return decodeURIComponent(segment) !== 'me';
    } catch {
      return true;
    }
  });

/** Query parameters that make a list request invalid, as [key, value] pairs. */
export function badQuery(
  allowed: Record<string, readonly string[] | 'uuid' | 'text' | RegExp>,
  sorts: readonly string[],
) {
  const keys = Object.keys(allowed);
  const notOneOf = (values: readonly string[]) => junkString.filter((v) => !values.includes(v));
  const cursorOf = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const pairs: Array<fc.Arbitrary<Array<[string, string]>>> = [
    fc
      .tuple(
        junkString.filter((k) => k.length > 0 && !keys.includes(k)),
        junkString,
      )
      .map((p) => [p]),
    fc.tuple(fc.constantFrom(...keys), junkString, junkString).map(([k, a, b]) => [
      [k, a],
      [k, b],
    ]),
    fc.oneof(junkString, fc.jsonValue().map(cursorOf)).map((c) => [['cursor', c]]),
    fc
      .record({
        s: fc.oneof(fc.constantFrom(...sorts), junkString),
        k: fc.oneof(fc.constant(1), junkString),
        i: fc.oneof(fc.uuid(), junkString),
      })
      .filter((c) => !(typeof c.k === 'string' && sorts.includes(c.s) && /^[0-9a-f-]{36}$/.test(c.i)))
      .map((c) => [['cursor', cursorOf(c)]]),
    fc.tuple(fc.string({ maxLength: 20 }), fc.uuid()).map(([k, i]) => [
      ['sort', 'createdAt'],
      ['cursor', cursorOf({ s: 'createdAt', k: `~${k}`, i })],
    ]),
    fc
      .oneof(fc.integer({ max: 0 }), fc.integer({ min: 201 }), fc.double({ noInteger: true }), junkString)
      .filter((v) => !(Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 200))
      .map((v) => [['limit', String(v)]]),
    notOneOf(sorts).map((v) => [['sort', v]]),
    notOneOf(['asc', 'desc']).map((v) => [['order', v]]),
  ];
  for (const [key, kind] of Object.entries(allowed)) {
    if (kind === 'uuid')
      pairs.push(junkString.filter((v) => !/^[0-9a-f-]{36}$/i.test(v)).map((v) => [[key, v]]));
    if (Array.isArray(kind)) pairs.push(notOneOf(kind).map((v) => [[key, v]]));
    if (kind instanceof RegExp) pairs.push(junkString.filter((v) => !kind.test(v)).map((v) => [[key, v]]));
    if (kind === 'text')
      pairs.push(fc.constantFrom('', 'x'.repeat(101), '😀'.repeat(101)).map((v) => [[key, v]]));
  }
  return fc.oneof(...pairs).map((p) => new URLSearchParams(p).toString());
}

/** Printable header values (what an HTTP client can actually send). */
export const headerText = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,80}$/),
  fc.constantFrom(
    '*',
    '"1", "2"',
    'W/',
    '""',
    '"-1"',
    '"1.5"',
    '"0x1"',
    '"9999999999"',
    "'1'",
    '1',
    'W/"1" x',
  ),
);

/** Bearer tokens that must all be refused: foreign key, tampered, expired-looking, unsigned, truncated. */
export async function badAuthorizations(realToken: string): Promise<string[]> {
  const claims = decodeJwt(realToken);
  const { kid } = decodeProtectedHeader(realToken);
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const foreign = (payload: Record<string, unknown>, withKid: boolean) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', ...(withKid && kid ? { kid } : {}) })
      .sign(privateKey);
  const [header, , signature] = realToken.split('.');
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const expired = { ...claims, iat: now - 7200, exp: now - 3600 };
  return [
    `Bearer ${await foreign(claims, true)}`,
    `Bearer ${await foreign(claims, false)}`,
    `Bearer ${await foreign(expired, true)}`,
    `Bearer ${header}.${encode(expired)}.${signature}`,
    `Bearer ${header}.${encode({ ...claims, realm_access: { roles: ['platform-admin'] } })}.${signature}`,
    `Bearer ${new UnsecuredJWT(claims).encode()}`,
    `Bearer ${realToken.slice(0, -10)}`,
    `Bearer ${realToken}.${signature}`,
    'Bearer',
    'Bearer ',
    'Basic x',
    'Basic dXNlcjpwYXNz',
    `Token ${realToken}`,
    `Bearer  ${realToken}`,
    `Bearer ${'A'.repeat(8000)}`,
    'Bearer a.b.c',
  ];
}
