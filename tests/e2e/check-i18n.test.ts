/**
 * The i18n check that `npm run lint` runs: it passes on the project as it is, and fails, naming
 * the key, on a copy with a key missing in one locale and on a copy with a key no code uses.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** A copy of what the check reads, laid out as in the repository. */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custos-i18n-'));
  for (const part of ['scripts/check-i18n.ts', 'frontend/messages', 'frontend/src', 'audit/src/catalog.ts']) {
    await cp(path.join(root, part), path.join(dir, part), { recursive: true });
  }
  return dir;
}

const check = (dir: string) =>
  run(process.execPath, [path.join(dir, 'scripts/check-i18n.ts')]).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stderr: string }) => ({ code: error.code, output: error.stderr }),
  );

async function editMessages(dir: string, locale: string, edit: (messages: any) => void) {
  const file = path.join(dir, 'frontend/messages', `${locale}.json`);
  const messages = JSON.parse(await readFile(file, 'utf8'));
  edit(messages);
  await writeFile(file, JSON.stringify(messages));
}

let dirs: string[] = [];
beforeAll(() => {
  dirs = [];
});
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('scripts/check-i18n.ts', () => {
  it('passes on the project', async () => {
    const result = await check(root);
    expect(result.code, result.output).toBe(0);
  });

  it('fails on a key missing in one locale', async () => {
    const dir = await copyProject();
    dirs.push(dir);
    await editMessages(dir, 'de', (messages) => {
      delete messages.devices.state.active;
    });
    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('devices.state.active');
  });

  it('fails on a key that no code uses', async () => {
    const dir = await copyProject();
    dirs.push(dir);
    for (const locale of ['en', 'de', 'ru', 'ar']) {
      await editMessages(dir, locale, (messages) => {
        messages.shell.neverUsed = 'x';
      });
    }
    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('shell.neverUsed is not used');
  });
});
