import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_PATTERN, invalidFields, readClaimUrl, SERIAL_PATTERN } from './claim-input';

const origin = 'https://custos.example.org';

/** The address the API puts on a sticker (backend claim-code.ts, `claimUrl`). */
const stickerUrl = (serial: string, code: string, base = origin) => {
  const url = new URL('/claim', base);
  url.searchParams.set('serial', serial);
  url.searchParams.set('code', code);
  return url.toString();
};

const serialArb = fc.stringMatching(SERIAL_PATTERN);
const codeArb = fc.stringMatching(CODE_PATTERN);

describe('readClaimUrl', () => {
  it('reads the serial number and code of a sticker of this installation', () => {
    expect(readClaimUrl(stickerUrl('ACME-U-0001', 'K7QF-9XMB-2TRW-HC4D'), origin)).toEqual({
      ok: true,
      serial: 'ACME-U-0001',
      code: 'K7QF-9XMB-2TRW-HC4D',
    });
  });

  it('reads any serial number and code the API could have put on a sticker', () => {
    fc.assert(
      fc.property(serialArb, codeArb, (serial, code) => {
        expect(readClaimUrl(stickerUrl(serial, code), origin)).toEqual({ ok: true, serial, code });
      }),
    );
  });

  it.each([
    ['with a locale', `${origin}/de/claim?serial=A1&code=K7QF-9XMB`],
    ['with a trailing slash', `${origin}/claim/?serial=A1&code=K7QF-9XMB`],
    ['with more parameters', `${origin}/claim?utm=x&serial=A1&code=K7QF-9XMB#top`],
    ['with spaces around it', `  ${origin}/claim?serial=A1&code=K7QF-9XMB\n`],
    [
      'with the origin spelled with a default port',
      'https://CUSTOS.example.org:443/claim?serial=A1&code=K7QF-9XMB',
    ],
  ])('accepts the address %s', (_, text) => {
    expect(readClaimUrl(text, origin)).toEqual({ ok: true, serial: 'A1', code: 'K7QF-9XMB' });
  });

  it.each([
    ['plain text', 'K7QF-9XMB-2TRW-HC4D', 'not_a_url'],
    ['an empty scan', '', 'not_a_url'],
    ['a relative address', '/claim?serial=A1&code=K7QF', 'not_a_url'],
    ['another site', 'https://evil.example.com/claim?serial=A1&code=K7QF', 'other_site'],
    ['a look-alike host', 'https://custos.example.org.evil.com/claim?serial=A1&code=K7QF', 'other_site'],
    ['another scheme', 'http://custos.example.org/claim?serial=A1&code=K7QF', 'other_site'],
    ['another port', 'https://custos.example.org:8443/claim?serial=A1&code=K7QF', 'other_site'],
    [
      'credentials in the address',
      'https://user:pw@custos.example.org/claim?serial=A1&code=K7QF',
      'other_site',
    ],
    ['a javascript: address', 'javascript:alert(1)//claim?serial=A1&code=K7QF', 'other_site'],
    ['another page of this site', `${origin}/en/devices?serial=A1&code=K7QF`, 'not_a_claim'],
    ['an unknown locale', `${origin}/xx/claim?serial=A1&code=K7QF`, 'not_a_claim'],
    ['no code', `${origin}/claim?serial=A1`, 'not_a_claim'],
    ['no serial number', `${origin}/claim?code=K7QF`, 'not_a_claim'],
    ['a serial number with markup', `${origin}/claim?serial=%3Cb%3E&code=K7QF`, 'not_a_claim'],
    ['a code too long', `${origin}/claim?serial=A1&code=${'K'.repeat(40)}`, 'not_a_claim'],
  ])('refuses %s', (_, text, reason) => {
    expect(readClaimUrl(text, origin)).toEqual({ ok: false, reason });
  });

  it('never throws, and fills fields only with values of the API formats from this origin', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.tuple(fc.string(), fc.string()).map(([s, c]) => stickerUrl(s, c)),
          fc
            .tuple(fc.webUrl(), serialArb, codeArb)
            .map(([base, s, c]) => stickerUrl(s, c, new URL(base).origin)),
        ),
        (text) => {
          const reading = readClaimUrl(text, origin);
          if (reading.ok) {
            expect(new URL(text.trim()).origin).toBe(origin);
            expect(reading.serial).toMatch(SERIAL_PATTERN);
            expect(reading.code).toMatch(CODE_PATTERN);
          }
        },
      ),
    );
  });

  it('refuses everything when its own origin is not an address', () => {
    expect(readClaimUrl(stickerUrl('A1', 'K7QF'), 'not a url')).toEqual({ ok: false, reason: 'not_a_url' });
  });
});

describe('invalidFields', () => {
  it.each([
    ['serial_format', ['serial']],
    ['code_format', ['code']],
    ['invalid_claim_code', ['serial', 'code']],
    ['site_required', ['site']],
    ['invalid_reference', ['site']],
    ['too_many_attempts', []],
    [undefined, []],
  ])('%s marks %j', (error, fields) => {
    expect(invalidFields(error)).toEqual(fields);
  });
});
