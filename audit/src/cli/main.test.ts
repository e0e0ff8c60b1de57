import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edit, makeBundle, makeLog, repack, signedHead, unpack } from '../bundle/fixture.test-helper.js';
import { generateSigningKey, publicKeyRecord } from '../keys.js';
import { consistencyProof } from '../merkle.js';
import { EXIT_FAILED, EXIT_USAGE, EXIT_VERIFIED, main } from './main.js';

const log = makeLog(40);
let dir: string;
const file = (name: string) => path.join(dir, name);

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-verify-'));
  const bundle = await makeBundle(log, { previousSize: 17, witness: true });
  await writeFile(file('bundle.tar'), bundle);
  const tampered = edit(await unpack(bundle), 'events/events-000001.csv.gz', (t) =>
    t.replace(',allowed,', ',denied,'),
  );
  await writeFile(file('tampered.tar'), await repack(tampered));
  await writeFile(file('keys.json'), JSON.stringify([publicKeyRecord(log.logKey.publicKey)]));
  await writeFile(file('other-keys.json'), JSON.stringify([publicKeyRecord(generateSigningKey().publicKey)]));
  await writeFile(file('old-head.json'), JSON.stringify(await signedHead(log, 17)));
  await writeFile(file('new-head.json'), JSON.stringify(await signedHead(log, 40)));
  const proof = (await consistencyProof(log.tree, 17, 40)).map((h) => h.toString('hex'));
  await writeFile(file('proof.json'), JSON.stringify({ oldSize: 17, newSize: 40, proof }));
  await writeFile(
    file('bad-proof.json'),
    JSON.stringify({ oldSize: 17, newSize: 40, proof: proof.slice(1) }),
  );
  await writeFile(file('not-json.json'), '{');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('custos-audit-verify bundle', () => {
  it('prints VERIFIED, the counts, the key ids and what was checked, and exits 0', async () => {
    const { code, stdout } = await run('bundle', file('bundle.tar'));
    expect(code).toBe(EXIT_VERIFIED);
    expect(stdout).toMatch(/^VERIFIED/);
    expect(stdout).toContain('10 events exported, 27 leaves omitted, tree size 40');
    expect(stdout).toContain(`log key ids: ${log.logKey.keyId}`);
    expect(stdout).toMatch(/✓ .*range proof/);
    expect(stdout).toMatch(/! the log keys were not pinned/);
  });

  it('passes with --trusted-keys holding the log key, and fails with other keys', async () => {
    const trusted = await run('bundle', file('bundle.tar'), '--trusted-keys', file('keys.json'));
    expect(trusted.code).toBe(EXIT_VERIFIED);
    expect(trusted.stdout).not.toMatch(/log keys were not pinned/);
    const other = await run('bundle', file('bundle.tar'), '--trusted-keys', file('other-keys.json'));
    expect(other.code).toBe(EXIT_FAILED);
    expect(other.stdout).toMatch(/^FAILED: .*not among the trusted log keys/);
  });

  it('prints FAILED with the file and seq of a tampered bundle, and exits 1', async () => {
    const { code, stdout } = await run('bundle', file('tampered.tar'));
    expect(code).toBe(EXIT_FAILED);
    expect(stdout).toMatch(/^FAILED: /);
    expect(stdout).toContain('file: events/events-000001.csv.gz');
    expect(stdout).toMatch(/seq: \d+/);
  });

  it('prints the verdict as JSON with --json', async () => {
    const { code, stdout } = await run('bundle', file('tampered.tar'), '--json');
    expect(code).toBe(EXIT_FAILED);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, file: 'events/events-000001.csv.gz' });
  });
});

describe('custos-audit-verify consistency', () => {
  const heads = () => [file('old-head.json'), file('new-head.json')];

  it('verifies a consistency proof between two heads', async () => {
    const { code, stdout } = await run(
      'consistency',
      ...heads(),
      file('proof.json'),
      '--keys',
      file('keys.json'),
    );
    expect(code).toBe(EXIT_VERIFIED);
    expect(stdout).toMatch(/^VERIFIED: the log of size 17 is a prefix of the log of size 40/);
  });

  it('fails for a bad proof', async () => {
    const { code, stdout } = await run(
      'consistency',
      ...heads(),
      file('bad-proof.json'),
      '--keys',
      file('keys.json'),
      '--json',
    );
    expect(code).toBe(EXIT_FAILED);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false });
  });
});

describe('custos-audit-verify usage', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(EXIT_VERIFIED);
    expect(stdout).toMatch(/^Usage:/);
  });

  it.each([
    [[]],
    [['bundle']],
    [['bundle', 'a', 'b']],
    [['frobnicate', 'x']],
    [['bundle', 'x.tar', '--no-such-option']],
    [['bundle', 'x.tar', '--trusted-keys']],
    [['consistency', 'a', 'b', 'c']],
  ])('exits 2 with the usage for %j', async (argv) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/Usage:/);
  });

  it('exits 2 for a missing bundle, an unreadable or malformed keys file', async () => {
    expect((await run('bundle', file('missing.tar'))).stderr).toMatch(/cannot read/);
    const notJson = await run('bundle', file('bundle.tar'), '--trusted-keys', file('not-json.json'));
    expect(notJson).toMatchObject({ code: EXIT_USAGE });
    expect(notJson.stderr).toMatch(/not valid JSON/);
    const notKeys = await run('bundle', file('bundle.tar'), '--trusted-keys', file('proof.json'));
    expect(notKeys.code).toBe(EXIT_USAGE);
  });
});

// The built command, as an auditor runs it; only when `npm run build` has produced it.
const built = path.resolve(import.meta.dirname, '../../dist/cli/verify.js');
describe.skipIf(!existsSync(built))('the built custos-audit-verify', () => {
  it('verifies a bundle and fails a tampered one, with exit codes 0 and 1', async () => {
    const exec = promisify(execFile);
    const good = await exec(process.execPath, [built, 'bundle', file('bundle.tar')]);
    expect(good.stdout).toMatch(/^VERIFIED/);
    const bad = await exec(process.execPath, [built, 'bundle', file('tampered.tar')]).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(bad?.code).toBe(1);
    expect(bad?.stdout).toMatch(/^FAILED/);
  });
});
