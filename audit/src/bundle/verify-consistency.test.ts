import { describe, expect, it } from 'vitest';
import { leafHash } from '../hash.js';
import { generateSigningKey, publicKeyRecord } from '../keys.js';
import { consistencyProof, MemoryTree } from '../merkle.js';
import { makeLog, signedHead } from './fixture.test-helper.js';
import { verifyConsistencyFiles } from './verify-consistency.js';

const log = makeLog(30);
const keys = [publicKeyRecord(log.logKey.publicKey)];

async function proofFile(oldSize: number, newSize: number) {
  const proof = await consistencyProof(log.tree, oldSize, newSize);
  return { oldSize, newSize, proof: proof.map((h) => h.toString('hex')) };
}

describe('verifyConsistencyFiles', () => {
  it('verifies that an older tree head is a prefix of a newer one', async () => {
    const verdict = verifyConsistencyFiles(
      await signedHead(log, 11),
      await signedHead(log, 30),
      await proofFile(11, 30),
      keys,
    );
    expect(verdict).toMatchObject({ ok: true, oldSize: 11, newSize: 30, logKeyIds: [log.logKey.keyId] });
    expect(verdict.checks).toHaveLength(3);
  });

  it("accepts a bundle's tree-head.json as a head", async () => {
    const newer = { treeHead: await signedHead(log, 30), cosignatures: [] };
    expect(verifyConsistencyFiles(await signedHead(log, 16), newer, await proofFile(16, 30), keys).ok).toBe(
      true,
    );
  });

  it('verifies equal heads with an empty proof', async () => {
    const head = await signedHead(log, 8);
    expect(verifyConsistencyFiles(head, head, { oldSize: 8, newSize: 8, proof: [] }, keys).ok).toBe(true);
  });

  it('fails for an altered proof, a rewritten history and swapped heads', async () => {
    const proof = await proofFile(11, 30);
    const altered = { ...proof, proof: [...proof.proof.slice(1), 'ab'.repeat(32)] };
    const older = await signedHead(log, 11);
    const newer = await signedHead(log, 30);
    expect(verifyConsistencyFiles(older, newer, altered, keys)).toMatchObject({ ok: false });

    // The same log key signs a log whose leaf 3 was rewritten after the old head was issued.
    const fork = {
      ...log,
      tree: new MemoryTree(log.leaves.map((leaf, i) => (i === 3 ? leafHash('forged') : leaf))),
    };
    const forked = verifyConsistencyFiles(older, await signedHead(fork, 30), proof, keys);
    expect(forked.ok).toBe(false);
    expect(forked.reason).toMatch(/not a prefix/);

    const swapped = verifyConsistencyFiles(
      newer,
      older,
      { oldSize: 30, newSize: 11, proof: proof.proof },
      keys,
    );
    expect(swapped.ok).toBe(false);
  });

  it('fails for a head signed by a key the auditor does not trust, and for malformed input', async () => {
    const stranger = generateSigningKey();
    const head = await signedHead(log, 11, stranger);
    const untrusted = verifyConsistencyFiles(head, await signedHead(log, 30), await proofFile(11, 30), keys);
    expect(untrusted.reason).toMatch(/not one of the log keys/);

    expect(verifyConsistencyFiles({}, {}, {}, keys).reason).toMatch(
      /old tree head does not have the expected form/,
    );
    expect(verifyConsistencyFiles({}, {}, {}, 'nope').reason).toMatch(/keys file/);
  });
});
