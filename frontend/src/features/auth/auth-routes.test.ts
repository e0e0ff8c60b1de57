// @vitest-environment node
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
