/**
 * The `custos-audit-verify` command, as a function of its arguments so that it can be tested in-process:
 * an auditor's offline check of an audit bundle or of a consistency proof between two tree heads. It
 * reads local files only (no network, no database). Exit codes: 0 verified, 1 failed, 2 usage error.
 */

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type BundleVerdict, verifyBundle } from '../bundle/verify-bundle.js';
import { type ConsistencyVerdict, KeyRing, verifyConsistencyFiles } from '../bundle/verify-consistency.js';
import type { PublicKeyRecord } from '../keys.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export const EXIT_VERIFIED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage:
  custos-audit-verify bundle <bundle.tar> [--trusted-keys <keys.json>]
                             [--trusted-witness-keys <keys.json>] [--json]
  custos-audit-verify consistency <old-head.json> <new-head.json> <proof.json> --keys <keys.json> [--json]
  custos-audit-verify --help

bundle       checks a Custos audit bundle (format custos-audit-bundle/2) offline, every byte
             of the file: the tar archive in its canonical form (headers, padding, end), the
             manifest signature, every file as stored against the manifest, the signed tree
             head, each event (canonical form, catalog, hash chain), the range proof from the
             events to the signed root, the CSV view, and the proof that the log only grew
             since the previous export (when present). Give it the file exactly as exported:
             an archive re-created from extracted files does not verify.
             --trusted-keys: the log public keys published by the organisation (a JSON array of
             { keyId, algorithm, publicKey }). Without it the keys inside the bundle are used,
             with a warning: compare the printed key ids with the published ones.
consistency  checks that the log of the old tree head is a prefix of the log of the new one.
             A head file is a signed tree head or a bundle's tree-head.json; the proof is
             { oldSize, newSize, proof: [hex...] }, as in a bundle's proof/consistency.json.

Exit status: 0 verified, 1 verification failed, 2 usage error (bad arguments, unreadable file).
`;

class UsageError extends Error {}

/** Runs the command; resolves to the exit code. */
export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'trusted-keys': { type: 'string' },
        'trusted-witness-keys': { type: 'string' },
        keys: { type: 'string' },
      },
    });
    if (values.help) {
      out.stdout(USAGE);
      return EXIT_VERIFIED;
    }
    const [command, ...files] = positionals;
    if (command === 'bundle' && files.length === 1) {
      if (values.keys) throw new UsageError('--keys is for the consistency command; use --trusted-keys');
      const verdict = await bundle(
        files[0] as string,
        values['trusted-keys'],
        values['trusted-witness-keys'],
      );
      out.stdout(values.json ? `${JSON.stringify(verdict, null, 2)}\n` : describeBundle(verdict));
      return verdict.ok ? EXIT_VERIFIED : EXIT_FAILED;
    }
    if (command === 'consistency' && files.length === 3) {
      if (!values.keys) {
        throw new UsageError('consistency needs --keys <keys.json>: the log public keys you trust');
      }
      const [oldHead, newHead, proof] = await Promise.all(files.map((file) => readJson(file)));
      const verdict = verifyConsistencyFiles(oldHead, newHead, proof, await readJson(values.keys));
      out.stdout(values.json ? `${JSON.stringify(verdict, null, 2)}\n` : describeConsistency(verdict));
      return verdict.ok ? EXIT_VERIFIED : EXIT_FAILED;
    }
    throw new UsageError(
      command === undefined ? 'no command given' : `wrong arguments for ${JSON.stringify(command)}`,
    );
  } catch (error) {
    // parseArgs reports unknown options and missing values with a TypeError whose code starts ERR_PARSE_ARGS.
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseError) {
      out.stderr(`custos-audit-verify: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function bundle(
  path: string,
  trustedKeys?: string,
  trustedWitnessKeys?: string,
): Promise<BundleVerdict> {
  const options: { trustedLogKeys?: PublicKeyRecord[]; trustedWitnessKeys?: PublicKeyRecord[] } = {};
  if (trustedKeys) options.trustedLogKeys = await readKeys(trustedKeys);
  if (trustedWitnessKeys) options.trustedWitnessKeys = await readKeys(trustedWitnessKeys);
  try {
    if (!(await stat(path)).isFile()) throw new UsageError(`${path} is not a file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return verifyBundle(createReadStream(path), options);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A keys file must be a list of valid key records: a broken one is the caller's mistake, not a failed bundle. */
async function readKeys(path: string): Promise<PublicKeyRecord[]> {
  const value = await readJson(path);
  try {
    KeyRing.load(value, path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return value as PublicKeyRecord[];
}

function list(title: string, items: string[], mark: string): string {
  return items.length === 0 ? '' : `  ${title}:\n${items.map((item) => `    ${mark} ${item}\n`).join('')}`;
}

export function describeBundle(verdict: BundleVerdict): string {
  const lines: string[] = [];
  if (verdict.ok) {
    lines.push('VERIFIED: the bundle is exactly what the log signed\n');
  } else {
    lines.push(`FAILED: ${verdict.reason}\n`);
    if (verdict.file !== undefined) lines.push(`  file: ${verdict.file}\n`);
    if (verdict.seq !== undefined) lines.push(`  seq: ${verdict.seq}\n`);
  }
  const size = verdict.treeSize === undefined ? '' : `, tree size ${verdict.treeSize}`;
  lines.push(`  ${verdict.events} events exported, ${verdict.omitted} leaves omitted${size}\n`);
  if (verdict.logKeyIds.length > 0) lines.push(`  log key ids: ${verdict.logKeyIds.join(', ')}\n`);
  lines.push(list(verdict.ok ? 'checked' : 'passed before the failure', verdict.checks, '✓'));
  lines.push(list('warnings', verdict.warnings, '!'));
  return lines.join('');
}

export function describeConsistency(verdict: ConsistencyVerdict): string {
  const head = verdict.ok
    ? `VERIFIED: the log of size ${verdict.oldSize} is a prefix of the log of size ${verdict.newSize}\n`
    : `FAILED: ${verdict.reason}\n`;
  const keys = verdict.logKeyIds.length > 0 ? `  log key ids: ${verdict.logKeyIds.join(', ')}\n` : '';
  return `${head}${keys}${list('checked', verdict.checks, '✓')}${list('warnings', verdict.warnings, '!')}`;
}
