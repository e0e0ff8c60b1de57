import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKeyFile } from './master-key.js';

describe('the audit master key file', () => {
  it('is created (mode 0600) outside production and reused afterwards', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'custos-key-')), 'audit', 'master.key');
    const first = await loadMasterKeyFile(file, { create: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const wrapped = await first.wrap(Buffer.from('secret'), 'ctx');
    const again = await loadMasterKeyFile(file, { create: true });
    expect((await again.unwrap(wrapped, 'ctx')).toString()).toBe('secret');
    await expect(again.unwrap(wrapped, 'other context')).rejects.toThrow();
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('is never created in production: a missing file stops the start', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'custos-key-')), 'missing.key');
    await expect(loadMasterKeyFile(file, { create: false })).rejects.toThrow(/does not exist/);
  });
});
