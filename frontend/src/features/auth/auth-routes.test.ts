// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './auth-routes';

describe('safeReturnTo', () => {
  it.each(['/en/devices', '/de/compliance?outcome=denied', '/en'])('keeps a path of this app: %s', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([
    '//evil.example',
    '//evil.example/en',
    '/\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/\t\\evil.example',
    // Dot segments collapse into a protocol-relative path.
    '/.//evil.example',
    '/a/..//evil.example',
    '/%2e//evil.example',
    '/en/..//evil.example',
    // Not a page of ours: every page is under a locale.
    '/api/auth/logout',
    '/xx/devices',
    'https://evil.example',
    'javascript:alert(1)',
    'en/devices',
    '',
    null,
    undefined,
  ])('falls back to the home page for %j', (value) => {
    expect(safeReturnTo(value)).toBe('/en');
  });
});

describe('safeReturnTo, for any input', () => {
  it('gives a path that stays on our origin, under one of our locales', () => {
    const pieces = fc.constantFrom(
      '/',
      '//',
      '\\',
      '.',
      '..',
      '%2e',
      '\t',
      '\n',
      'en',
      'evil.example',
      '?',
      '#',
      ':',
      '@',
    );
    const tricky = fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string(), fc.webUrl()), (value) => {
        const path = safeReturnTo(value);
        const resolved = new URL(path, 'https://app.example');
        expect(resolved.origin).toBe('https://app.example');
        expect(['en', 'de', 'ru', 'ar']).toContain(resolved.pathname.split('/')[1]);
      }),
      { numRuns: 2000 },
    );
  });
});
