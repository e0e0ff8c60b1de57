// @vitest-environment node
/**
 * Client components must not import next-intl: its client entry ships the ICU message runtime
 * (about 10 kB gzip on every page), which took First Load JS over the 150 kB budget twice.
 * They get translated strings as props instead (ADR 0016).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.dirname(new URL(import.meta.url).pathname);
const clientFiles = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file))
  .filter((file) => /^\s*['"]use client['"]/.test(readFileSync(path.join(src, file), 'utf8')));

describe('client components', () => {
  it('exist (the scan finds them)', () => {
    expect(clientFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(clientFiles)('%s imports nothing from next-intl', (file) => {
    const text = readFileSync(path.join(src, file), 'utf8');
    expect(text).not.toMatch(/from ['"]next-intl(\/(?!server)[^'"]*)?['"]/);
  });
});
