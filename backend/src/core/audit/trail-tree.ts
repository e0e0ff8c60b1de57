/**
 * The Merkle tree of the sealed trail, read from the database. Leaves are `audit_events.leaf_hash`;
 * every complete perfect subtree at levels 8, 16, 24… is stored in `audit_tree_nodes` when the
 * signer first covers it. Any perfect subtree is then one range read of at most 255 hashes from
 * the stored level below it, so proofs and roots cost O(log n) small queries however long the
 * trail grows.
 */
import { nodeHash, type SubtreeSource } from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';

export const STORED_LEVEL_STEP = 8;
const hashRow = z.object({ hash: z.instanceof(Buffer) });

export class TrailTree implements SubtreeSource {
  constructor(private readonly db: Queryable) {}

  async subtree(level: number, index: number): Promise<Buffer> {
    const base = Math.floor(level / STORED_LEVEL_STEP) * STORED_LEVEL_STEP;
    const width = 2 ** (level - base);
    const hashes = await this.stored(base, index * width, width);
    return perfectRoot(hashes);
  }

  /** `count` stored hashes at `level` (0 = leaves) from index `start`; throws if any is missing. */
  async stored(level: number, start: number, count: number): Promise<Buffer[]> {
    const rows =
      level === 0
        ? await this.db.any(sql.type(hashRow)`
            SELECT leaf_hash AS hash FROM audit_events
            WHERE seq >= ${start} AND seq < ${start + count} ORDER BY seq`)
        : await this.db.any(sql.type(hashRow)`
            SELECT hash FROM audit_tree_nodes
            WHERE level = ${level} AND idx >= ${start} AND idx < ${start + count} ORDER BY idx`);
    if (rows.length !== count) {
      throw new TrailIncompleteError(level, start, count, rows.length);
    }
    return rows.map((r) => r.hash);
  }

  /**
   * Stores every perfect subtree at levels 8, 16… that is complete in a tree of `newSize` leaves
   * but was not in one of `oldSize` leaves. Runs in the signer's transaction, bottom level first.
   */
  async storeCompletedNodes(oldSize: number, newSize: number): Promise<number> {
    let stored = 0;
    for (let level = STORED_LEVEL_STEP; 2 ** level <= newSize; level += STORED_LEVEL_STEP) {
      const span = 2 ** level;
      const first = Math.floor(oldSize / span);
      const end = Math.floor(newSize / span);
      if (end <= first) continue;
      const fanIn = 2 ** STORED_LEVEL_STEP;
      const below = await this.stored(level - STORED_LEVEL_STEP, first * fanIn, (end - first) * fanIn);
      const idx: number[] = [];
      const hashes: Buffer[] = [];
      for (let i = first; i < end; i++) {
        idx.push(i);
        hashes.push(perfectRoot(below.slice((i - first) * fanIn, (i - first + 1) * fanIn)));
      }
      await this.db.query(sql.unsafe`
        INSERT INTO audit_tree_nodes (level, idx, hash)
        SELECT ${level}, * FROM unnest(${sql.array(idx, 'int8')}, ${sql.array(hashes, 'bytea')})`);
      stored += idx.length;
    }
    return stored;
  }
}

/** Root of a perfect tree over `hashes` (a power of two of them). */
export function perfectRoot(hashes: readonly Buffer[]): Buffer {
  let level = [...hashes];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
    level = next;
  }
  const [root] = level;
  if (!root) throw new Error('perfectRoot needs at least one hash');
  return root;
}

export class TrailIncompleteError extends Error {
  constructor(
    readonly level: number,
    readonly start: number,
    readonly expected: number,
    readonly found: number,
  ) {
    super(
      level === 0
        ? `audit events ${start}..${start + expected - 1} are incomplete (${found} of ${expected} present)`
        : `stored tree nodes at level ${level} from ${start} are incomplete (${found} of ${expected} present)`,
    );
    this.name = 'TrailIncompleteError';
  }
}
