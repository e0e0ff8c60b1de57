/**
 * Recomputes the whole trail from the database and checks it against itself and against every
 * signed tree head: sequence numbers without gaps, each entry's hash, each link to the entry
 * before, every stored tree node, and every head's root and signature. Stops at the first
 * divergence and names it: the sequence number where the trail stops being what was sealed, or the
 * tree head whose signed root it no longer produces. Streams in batches: constant memory.
 */
import { type AuditEntry, Frontier, leafHash, toHex, verifyTreeHead, ZERO_HASH_HEX } from '@custos/audit';
import { type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';
import type { MasterKey } from './master-key.js';
import { perfectRoot, STORED_LEVEL_STEP } from './trail-tree.js';
import { Divergence, HeadCursor, NodeChecker, signingKeys } from './verification-checks.js';

export interface VerificationResult {
  ok: boolean;
  checkedEvents: number;
  /** Whether every signing key was proven to be this deployment's (verification had the master key). */
  keysAuthenticated: boolean;
  /** Size of the newest tree head checked. */
  treeSize: number | null;
  checkedHeads: number;
  firstBadSeq: number | null;
  badTreeSize: number | null;
  reason: string | null;
  startedAt: string;
  durationMs: number;
}

const BATCH = 20_000;
const BLOCK_LEAVES = 2 ** STORED_LEVEL_STEP;

/**
 * Verifies in one consistent snapshot (REPEATABLE READ, read only): heads and events signed while
 * it runs cannot make it see a head without its events. `lock` (optional) is taken first inside
 * the snapshot's transaction; when another holder has it, the result is null.
 */
export function verifySnapshot(
  pool: DatabasePool,
  options: VerifyOptions = {},
  lock?: (tx: Queryable) => Promise<boolean>,
): Promise<VerificationResult | null> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    if (lock && !(await lock(tx))) return null;
    return verifyTrail(tx, options);
  });
}

export interface VerifyOptions {
  /**
   * With the master key, every signing key must be one this deployment made: its stored private
   * key must unwrap under the master key and match its public key. Without it, a superuser could
   * add a key of their own and re-sign a rewritten trail; the result then says keys were not
   * authenticated.
   */
  master?: MasterKey;
}

export async function verifyTrail(db: Queryable, options: VerifyOptions = {}): Promise<VerificationResult> {
  const started = Date.now();
  const state = {
    checkedEvents: 0,
    checkedHeads: 0,
    treeSize: null as number | null,
    keysAuthenticated: options.master !== undefined,
  };
  try {
    await walk(db, state, options);
    return result(true, state, started, null);
  } catch (error) {
    if (error instanceof Divergence) return result(false, state, started, error);
    throw error;
  }
}

function result(
  ok: boolean,
  state: { checkedEvents: number; checkedHeads: number; treeSize: number | null; keysAuthenticated: boolean },
  started: number,
  divergence: Divergence | null,
): VerificationResult {
  return {
    ok,
    ...state,
    firstBadSeq: divergence?.seq ?? null,
    badTreeSize: divergence?.treeSize ?? null,
    reason: divergence?.reason ?? null,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}

async function walk(
  db: Queryable,
  state: { checkedEvents: number; checkedHeads: number; treeSize: number | null },
  options: VerifyOptions,
): Promise<void> {
  const keys = await signingKeys(db, options.master);
  const heads = new HeadCursor(db);
  const newestHead = await db.oneFirst(
    sql.type(
      z.object({ size: z.coerce.number() }),
    )`SELECT coalesce(max(tree_size), 0) AS size FROM audit_tree_heads`,
  );
  const nodes = new NodeChecker(db, newestHead);
  // Leaves are hashed into 256-leaf blocks (the stored level-8 nodes, checked on the way) and
  // only whole blocks enter the frontier: each leaf costs one node hash, not two.
  const frontier = new Frontier();
  let block: Buffer[] = [];
  const rootNow = () => {
    if (block.length === 0) return frontier.root();
    const partial = frontier.clone();
    for (const leaf of block) partial.append(leaf);
    return partial.root();
  };
  const recent: string[] = [ZERO_HASH_HEX, ZERO_HASH_HEX]; // hashes of seq-2 and seq-1
  let expected = 0;

  // The size of the next head to check; rows before it skip the (async) head check entirely.
  let nextHead = (await heads.peek())?.treeSize ?? Number.POSITIVE_INFINITY;
  const checkHeadsUpTo = async (size: number) => {
    for (let head = await heads.peek(); head && head.treeSize <= size; head = await heads.peek()) {
      heads.take();
      if (head.treeSize < size) continue; // unreachable: sizes are visited in order
      const key = keys.get(head.keyId);
      if (key && !key.authentic) {
        throw new Divergence(
          `tree head ${head.treeSize} is signed by key ${head.keyId}, which this deployment did not make (its private key does not unwrap under the master key)`,
          null,
          head.treeSize,
        );
      }
      if (!key || !verifyTreeHead(head, key.publicKey)) {
        throw new Divergence(
          `tree head ${head.treeSize} is not validly signed by a known log key`,
          null,
          head.treeSize,
        );
      }
      // Rotation waits for the signer's lock: a retired key has signed nothing after retirement.
      if (key.retiredAt !== null && Date.parse(head.timestamp) > Date.parse(key.retiredAt)) {
        throw new Divergence(
          `tree head ${head.treeSize} is signed by key ${head.keyId} after that key was retired`,
          null,
          head.treeSize,
        );
      }
      if (toHex(rootNow()) !== head.rootHash) {
        throw new Divergence(
          `the trail's first ${head.treeSize} events no longer produce the root signed in tree head ${head.treeSize}`,
          null,
          head.treeSize,
        );
      }
      state.checkedHeads++;
      state.treeSize = head.treeSize;
    }
    nextHead = (await heads.peek())?.treeSize ?? Number.POSITIVE_INFINITY;
  };

  // Untyped on purpose: row validation would cost more than the hashing.
  const fetch = (from: number) =>
    db.query(sql.unsafe`
      SELECT seq, entry, leaf_hash, occurred_at, type, outcome, tenant_id, actor_id, resource_type, resource_id,
             subject
      FROM audit_events WHERE seq >= ${from} ORDER BY seq LIMIT ${BATCH}`) as unknown as Promise<{
      rows: EventRow[];
    }>;
  let pending = fetch(0);
  for (;;) {
    const { rows } = await pending;
    // The database reads the next batch while this one is hashed.
    const last = rows.at(-1);
    if (rows.length === BATCH && last) {
      pending = fetch(Number(last.seq) + 1);
      // Awaited on the next turn; if verification stops first, its failure must not go unhandled.
      pending.catch(() => undefined);
    }
    for (const row of rows) {
      if (nextHead <= expected) await checkHeadsUpTo(expected); // heads of exactly `expected` leaves
      if (Number(row.seq) !== expected) throw new Divergence(`event ${expected} is missing`, expected);
      const hash = leafHash(row.entry);
      if (!hash.equals(row.leaf_hash)) {
        throw new Divergence(`event ${expected} does not match its recorded hash: it was altered`, expected);
      }
      const parsed = parseEntry(row.entry, expected);
      const { seq, prevHash } = parsed;
      const hex = toHex(hash);
      if (seq !== expected) {
        // An entry that says it is the one before: everything from here moved up by an insertion.
        if (seq === expected - 1 && prevHash === recent[0]) {
          throw new Divergence(`event ${expected - 1} was inserted into the trail`, expected - 1);
        }
        throw new Divergence(`event ${expected} is out of place: it was sealed as event ${seq}`, expected);
      }
      if (prevHash !== recent[1]) {
        // A signed head ending exactly at the previous event vouches for it: the fault is here.
        if (state.treeSize === expected) {
          throw new Divergence(
            `event ${expected} is not chained to the event before it: it was forged`,
            expected,
          );
        }
        throw new Divergence(
          `event ${expected - 1} is not the event that event ${expected} was chained to: it was altered, replaced or inserted`,
          expected - 1,
        );
      }
      const disagreeing = disagreeingColumn(row, parsed);
      if (disagreeing) {
        throw new Divergence(
          `event ${expected}'s search column ${disagreeing} no longer agrees with the sealed entry: it was altered`,
          expected,
        );
      }
      recent[0] = recent[1] as string;
      recent[1] = hex;
      block.push(hash);
      if (block.length === BLOCK_LEAVES) {
        const blockHash = perfectRoot(block);
        block = [];
        frontier.appendSubtree(STORED_LEVEL_STEP, blockHash);
        await nodes.compare(nodes.pushBlock(Math.floor(expected / BLOCK_LEAVES), blockHash));
      }
      expected++;
      state.checkedEvents++;
    }
    if (rows.length < BATCH) break;
  }
  await checkHeadsUpTo(expected);
  const beyond = await heads.peek();
  if (beyond) {
    throw new Divergence(
      `tree head ${beyond.treeSize} covers events up to ${beyond.treeSize - 1}, but the trail ends before event ${expected}`,
      expected,
      beyond.treeSize,
    );
  }
  await nodes.finish(expected);
}

/** Reads seq and prevHash from canonical JSON; a malformed entry is a divergence, not a crash. */
function parseEntry(entry: string, at: number): AuditEntry {
  try {
    const parsed = JSON.parse(entry) as Partial<AuditEntry>;
    if (
      typeof parsed.seq === 'number' &&
      typeof parsed.prevHash === 'string' &&
      typeof parsed.actor === 'object' &&
      typeof parsed.resource === 'object'
    ) {
      return parsed as AuditEntry;
    }
  } catch {
    // fall through
  }
  throw new Divergence(`event ${at} is not a well-formed entry`, at);
}

interface EventRow {
  seq: string | number;
  entry: string;
  leaf_hash: Buffer;
  occurred_at: string;
  type: string;
  outcome: string;
  tenant_id: string | null;
  actor_id: string;
  resource_type: string;
  resource_id: string | null;
  subject: string | null;
}

/** The first search column whose value differs from what the sealed entry says, if any (hot path: no allocation). */
function disagreeingColumn(row: EventRow, entry: AuditEntry): string | null {
  if (row.occurred_at !== entry.time && Date.parse(row.occurred_at) !== Date.parse(entry.time))
    return 'occurredAt';
  if (row.type !== entry.type) return 'type';
  if (row.outcome !== entry.outcome) return 'outcome';
  const tenantId = entry.resource.tenantId ?? entry.actor.tenantId ?? null;
  if ((row.tenant_id ?? null) !== tenantId && row.tenant_id?.toLowerCase() !== tenantId?.toLowerCase()) {
    return 'tenantId';
  }
  if (row.actor_id !== entry.actor.id) return 'actorId';
  if (row.resource_type !== entry.resource.type) return 'resourceType';
  if (row.resource_id !== entry.resource.id) return 'resourceId';
  if (row.subject !== entry.subject) return 'subject';
  return null;
}
