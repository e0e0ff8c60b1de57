/**
 * Produces signed tree heads: when the trail has grown since the last head, it stores the newly
 * completed tree nodes, computes the root and signs it, in one transaction under an advisory lock
 * (one signer at a time across instances). Before signing it re-derives the previous head's root
 * from the database: if that no longer matches, the trail was altered and it refuses to sign over
 * the damage. New heads are then offered to the external witness, when one is configured.
 */

import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  fromHex,
  rootHash,
  type SignedTreeHead,
  signTreeHead,
  toHex,
  verifyCosignature,
  type WitnessCosignature,
  witnessCosignatureSchema,
} from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Database, Queryable } from '../database/database.js';
import { advisoryXactLock, databaseNow, SIGN_LOCK } from './locks.js';
import type { SigningKeys } from './signing-keys.js';
import { rawToSpki } from './signing-keys.js';
import { TrailTree } from './trail-tree.js';

const headRow = z.object({
  tree_size: z.coerce.number(),
  root_hash: z.instanceof(Buffer),
  timestamp: z.string(),
  key_id: z.string(),
  signature: z.instanceof(Buffer),
});

export const HEAD_COLUMNS = sql.fragment`tree_size, root_hash, "timestamp", key_id, signature`;

export function headFromRow(row: z.infer<typeof headRow>): SignedTreeHead {
  return {
    treeSize: row.tree_size,
    rootHash: toHex(row.root_hash),
    timestamp: row.timestamp,
    keyId: row.key_id,
    signature: row.signature.toString('base64'),
  };
}

export async function latestHead(db: Queryable): Promise<SignedTreeHead | null> {
  const row = await db.maybeOne(
    sql.type(headRow)`SELECT ${HEAD_COLUMNS} FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1`,
  );
  return row ? headFromRow(row) : null;
}

export async function headAt(db: Queryable, treeSize: number): Promise<SignedTreeHead | null> {
  const row = await db.maybeOne(
    sql.type(headRow)`SELECT ${HEAD_COLUMNS} FROM audit_tree_heads WHERE tree_size = ${treeSize}`,
  );
  return row ? headFromRow(row) : null;
}

export { headRow };

export class TrailDivergedError extends Error {
  constructor(readonly treeSize: number) {
    super(`the trail no longer matches the signed tree head of size ${treeSize}`);
    this.name = 'TrailDivergedError';
  }
}

export interface WitnessSettings {
  url: string;
  publicKey: KeyObject | null;
  timeoutMs: number;
}

export class TreeSigner {
  constructor(
    private readonly db: Database,
    private readonly keys: SigningKeys,
    private readonly witness: WitnessSettings | null,
  ) {}

  /** Signs a head over the current trail; null when nothing new (or another instance is signing). */
  async signNext(wait = false): Promise<SignedTreeHead | null> {
    return this.db.transaction(async (tx) => {
      if (!(await advisoryXactLock(tx, SIGN_LOCK, wait))) return null;
      const last = await latestHead(tx);
      const size = await tx.oneFirst(
        sql.type(
          z.object({ size: z.coerce.number() }),
        )`SELECT coalesce(max(seq) + 1, 0) AS size FROM audit_events`,
      );
      if (size === 0 || (last && size <= last.treeSize)) return null;
      const tree = new TrailTree(tx);
      if (last) {
        const again = await rootHash(tree, last.treeSize);
        if (!again.equals(fromHex(last.rootHash))) throw new TrailDivergedError(last.treeSize);
      }
      await tree.storeCompletedNodes(last?.treeSize ?? 0, size);
      const root = await rootHash(tree, size);
      // Under the lock, so a rotation (which takes it too) never interleaves with signing.
      const key = await this.keys.active(tx);
      const signed = signTreeHead(
        { treeSize: size, rootHash: toHex(root), timestamp: await databaseNow(tx), keyId: key.keyId },
        key.privateKey,
      );
      await tx.query(sql.unsafe`
        INSERT INTO audit_tree_heads (tree_size, root_hash, "timestamp", key_id, signature)
        VALUES (${size}, ${sql.binary(root)}, ${signed.timestamp}, ${signed.keyId},
                ${sql.binary(Buffer.from(signed.signature, 'base64'))})`);
      return signed;
    });
  }

  /** Sends the head to the witness and stores its co-signature if it verifies. Never throws. */
  async offerToWitness(head: SignedTreeHead): Promise<WitnessCosignature | null> {
    const witness = this.witness;
    if (!witness) return null;
    try {
      const response = await fetch(witness.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ treeHead: head }),
        signal: AbortSignal.timeout(witness.timeoutMs),
      });
      if (!response.ok) return null;
      const cosig = witnessCosignatureSchema.parse(await response.json());
      if (!witness.publicKey || !verifyCosignature(head, cosig, witness.publicKey)) return null;
      await this.db.pool.query(sql.unsafe`
        INSERT INTO audit_witness_cosignatures (tree_size, witness_key_id, "timestamp", signature)
        VALUES (${head.treeSize}, ${cosig.witnessKeyId}, ${cosig.timestamp},
                ${sql.binary(Buffer.from(cosig.signature, 'base64'))})
        ON CONFLICT DO NOTHING`);
      return cosig;
    } catch {
      return null;
    }
  }
}

export function witnessPublicKey(base64: string | undefined): KeyObject | null {
  if (!base64) return null;
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32)
    throw new Error('AUDIT_WITNESS_PUBLIC_KEY must be the base64 of a raw 32-byte Ed25519 key');
  return createPublicKey({ key: rawToSpki(raw), format: 'der', type: 'spki' });
}
