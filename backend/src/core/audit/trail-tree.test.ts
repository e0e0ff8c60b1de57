/**
 * The tree over more than 65,536 events, where subtrees are read from stored level-16 nodes: roots,
 * inclusion and consistency proofs agree with an in-memory RFC 6962 tree of the same leaves, and
 * verification checks the level-16 nodes too.
 */
import {
  consistencyProof,
  inclusionProof,
  MemoryTree,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { trailOf } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { AuditRecorder } from './audit-recorder.js';
import { MASTER_KEY } from './master-key.js';
import { TrailTree } from './trail-tree.js';
import { verifyTrail } from './trail-verifier.js';

const EVENTS = 2 ** 16 + 300;
let t: TestApp;
let leaves: Buffer[];

beforeAll(async () => {
  t = await createTestApp();
  // One valid event, recorded many times over straight into the intake: the sealer chains them.
  const event = await t.app.get(AuditRecorder).build('system', {
    type: 'access.denied',
    outcome: 'denied',
    resource: { type: 'Route', id: null, tenantId: null },
    payload: { route: '/bulk', method: 'GET' },
  });
  await t.adminPool.query(sql.unsafe`
    INSERT INTO audit_intake (event) SELECT ${event} FROM generate_series(1, ${EVENTS})`);
  await trailOf(t).flush();
  leaves = [
    ...(await t.adminPool.anyFirst(
      sql.type(
        z.object({ leaf_hash: z.instanceof(Buffer) }),
      )`SELECT leaf_hash FROM audit_events ORDER BY seq`,
    )),
  ];
}, 120_000);
afterAll(() => t?.close());

describe('the trail tree beyond 2^16 events', () => {
  it('stores the level-16 node and derives the same root and proofs as an in-memory tree', async () => {
    const level16 = await t.adminPool.oneFirst(
      sql.type(
        z.object({ n: z.coerce.number() }),
      )`SELECT count(*) AS n FROM audit_tree_nodes WHERE level = 16`,
    );
    expect(level16).toBe(1);
    const size = leaves.length;
    const stored = new TrailTree(t.adminPool);
    const memory = new MemoryTree(leaves);
    const root = await rootHash(stored, size);
    expect(root.equals(await rootHash(memory, size))).toBe(true);
    for (const index of [0, 255, 256, 65_535, 65_536, size - 1]) {
      const proof = await inclusionProof(stored, index, size);
      expect(proof).toEqual(await inclusionProof(memory, index, size));
      expect(verifyInclusion(leaves[index] as Buffer, index, size, proof, root)).toBe(true);
    }
    const oldSize = 65_537;
    const proof = await consistencyProof(stored, oldSize, size);
    expect(verifyConsistency(oldSize, size, await rootHash(memory, oldSize), root, proof)).toBe(true);
  });

  it('verifies, and catches an altered level-16 node at the first event it covers', async () => {
    const master = t.app.get(MASTER_KEY);
    expect(await verifyTrail(t.adminPool, { master })).toMatchObject({
      ok: true,
      checkedEvents: leaves.length,
    });
    const result = await t.adminPool
      .transaction(async (tx) => {
        await tx.query(sql.unsafe`SET LOCAL session_replication_role = replica`);
        await tx.query(
          sql.unsafe`UPDATE audit_tree_nodes SET hash = sha256('x') WHERE level = 16 AND idx = 0`,
        );
        const verdict = await verifyTrail(tx, { master });
        throw Object.assign(new Error('rollback'), { verdict });
      })
      .catch((error: { verdict?: unknown }) => error.verdict);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 0 });
  });
});
