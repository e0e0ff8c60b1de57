/**
 * The parts of trail verification that read beside the event stream: the signing keys (and whether
 * each is this deployment's own), the tree heads in order, and the stored tree nodes, each checked
 * as the stream reaches it. `Divergence` is how any of them reports the first place the trail
 * stops being what was sealed.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { rawPublicKey } from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';
import type { MasterKey } from './master-key.js';
import { rawToSpki } from './signing-keys.js';
import { perfectRoot, STORED_LEVEL_STEP } from './trail-tree.js';
import { HEAD_COLUMNS, headFromRow, headRow } from './tree-signer.js';

const nodeRow = z.object({ level: z.coerce.number(), idx: z.coerce.number(), hash: z.instanceof(Buffer) });
const keyRow = z.object({
  key_id: z.string(),
  public_key: z.instanceof(Buffer),
  private_key: z.instanceof(Buffer),
  retired_at: z.string().nullable(),
});

export class Divergence extends Error {
  constructor(
    readonly reason: string,
    readonly seq: number | null,
    readonly treeSize: number | null = null,
  ) {
    super(reason);
  }
}

export async function signingKeys(
  db: Queryable,
  master: MasterKey | undefined,
): Promise<Map<string, { publicKey: KeyObject; retiredAt: string | null; authentic: boolean }>> {
  const rows = await db.any(
    sql.type(keyRow)`SELECT key_id, public_key, private_key, retired_at FROM audit_signing_keys`,
  );
  const keys = new Map<string, { publicKey: KeyObject; retiredAt: string | null; authentic: boolean }>();
  for (const r of rows) {
    keys.set(r.key_id, {
      publicKey: createPublicKey({ key: rawToSpki(r.public_key), format: 'der', type: 'spki' }),
      retiredAt: r.retired_at,
      authentic: master ? await madeBy(master, r.key_id, r.private_key, r.public_key) : true,
    });
  }
  return keys;
}

/** Whether the wrapped private key unwraps under the master key and belongs to the public key. */
async function madeBy(
  master: MasterKey,
  keyId: string,
  wrapped: Buffer,
  publicKey: Buffer,
): Promise<boolean> {
  try {
    const der = await master.unwrap(wrapped, `signing-key:${keyId}`);
    const derived = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    return rawPublicKey(derived).equals(publicKey);
  } catch {
    return false;
  }
}

/** Tree heads in ascending size, fetched in batches. */
export class HeadCursor {
  private buffer: ReturnType<typeof headFromRow>[] = [];
  private after = 0;
  private exhausted = false;

  constructor(private readonly db: Queryable) {}

  async peek() {
    if (this.buffer.length === 0 && !this.exhausted) {
      const rows = await this.db.any(sql.type(headRow)`
        SELECT ${HEAD_COLUMNS} FROM audit_tree_heads WHERE tree_size > ${this.after} ORDER BY tree_size LIMIT 5000`);
      this.buffer = rows.map(headFromRow);
      if (rows.length < 5000) this.exhausted = true;
      const last = this.buffer.at(-1);
      if (last) this.after = last.treeSize;
    }
    return this.buffer[0];
  }

  take() {
    this.buffer.shift();
  }
}

/** Recomputes the stored subtree hashes (levels 8, 16…) as leaves stream past and compares them. */
export class NodeChecker {
  private readonly pending = new Map<number, Buffer[]>();
  private stored = new Map<string, Buffer>();
  private loadedUpTo = -1;

  /** `newestHead`: the signer stores every node complete at a head's size with the head itself. */
  constructor(
    private readonly db: Queryable,
    private readonly newestHead: number,
  ) {}

  /**
   * Adds a complete 256-leaf block (a level-8 node); returns the stored-level nodes to compare: the
   * block itself and any level-16, 24… node it completes.
   */
  pushBlock(blockIndex: number, blockHash: Buffer): Array<{ level: number; idx: number; hash: Buffer }> {
    let level = STORED_LEVEL_STEP;
    let hash = blockHash;
    let index = blockIndex;
    const completed = [{ level, idx: index, hash }];
    for (;;) {
      let bucket = this.pending.get(level);
      if (!bucket) {
        bucket = [];
        this.pending.set(level, bucket);
      }
      bucket.push(hash);
      if (bucket.length < 2 ** STORED_LEVEL_STEP) return completed;
      this.pending.set(level, []);
      hash = perfectRoot(bucket);
      level += STORED_LEVEL_STEP;
      index = Math.floor(index / 2 ** STORED_LEVEL_STEP);
      completed.push({ level, idx: index, hash });
    }
  }

  async compare(nodes: Array<{ level: number; idx: number; hash: Buffer }>): Promise<void> {
    for (const { level, idx, hash } of nodes) await this.compareOne(level, idx, hash);
  }

  private async compareOne(level: number, idx: number, hash: Buffer): Promise<void> {
    const firstLeaf = idx * 2 ** level;
    if (level === STORED_LEVEL_STEP && idx > this.loadedUpTo) await this.load(idx);
    const stored =
      level === STORED_LEVEL_STEP ? this.stored.get(`${level}:${idx}`) : await this.single(level, idx);
    // A node is stored with the first head that covers it: missing is fine only past the newest head.
    if (!stored && firstLeaf + 2 ** level <= this.newestHead) {
      throw new Divergence(
        `the stored tree node for events ${firstLeaf}..${firstLeaf + 2 ** level - 1} is missing`,
        firstLeaf,
      );
    }
    if (stored && !stored.equals(hash)) {
      throw new Divergence(
        `the stored tree node for events ${firstLeaf}..${firstLeaf + 2 ** level - 1} does not match them`,
        firstLeaf,
      );
    }
    this.stored.delete(`${level}:${idx}`);
  }

  private async load(fromIdx: number): Promise<void> {
    const rows = await this.db.any(sql.type(nodeRow)`
      SELECT level, idx, hash FROM audit_tree_nodes
      WHERE level = ${STORED_LEVEL_STEP} AND idx >= ${fromIdx} AND idx < ${fromIdx + 1000}`);
    for (const r of rows) this.stored.set(`${r.level}:${r.idx}`, r.hash);
    this.loadedUpTo = fromIdx + 999;
  }

  private async single(level: number, idx: number): Promise<Buffer | undefined> {
    const row = await this.db.maybeOne(
      sql.type(
        nodeRow,
      )`SELECT level, idx, hash FROM audit_tree_nodes WHERE level = ${level} AND idx = ${idx}`,
    );
    return row?.hash;
  }

  /** Stored nodes for leaves the trail does not have are forged (or the trail was truncated). */
  async finish(size: number): Promise<void> {
    const stray = await this.db.maybeOne(sql.type(nodeRow)`
      SELECT level, idx, hash FROM audit_tree_nodes
      WHERE (idx + 1) * (2::numeric ^ level) > ${size} ORDER BY level, idx LIMIT 1`);
    if (stray) {
      throw new Divergence(
        `a stored tree node covers events beyond the end of the trail (event ${size} onwards)`,
        size,
      );
    }
  }
}
