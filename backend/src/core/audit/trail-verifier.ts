/**
 * Recomputes the whole trail from the database and checks it against itself and against every
 * signed tree head: sequence numbers without gaps, each entry's hash, each link to the entry
 * before, every stored tree node, and every head's root and signature. Stops at the first
 * divergence and names it: the sequence number where the trail stops being what was sealed, or the
 * tree head whose signed root it no longer produces. Streams in batches: constant memory.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  type AuditEntry,
  Frontier,
  leafHash,
  rawPublicKey,
  toHex,
  verifyTreeHead,
  ZERO_HASH_HEX,
} from '@custos/audit';
import { type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';
import type { MasterKey } from './master-key.js';
import { rawToSpki } from './signing-keys.js';
import { perfectRoot, STORED_LEVEL_STEP } from './trail-tree.js';
import { HEAD_COLUMNS, headFromRow, headRow } from './tree-signer.js';

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

const nodeRow = z.object({ level: z.coerce.number(), idx: z.coerce.number(), hash: z.instanceof(Buffer) });
const keyRow = z.object({
  key_id: z.string(),
  public_key: z.instanceof(Buffer),
  private_key: z.instanceof(Buffer),
  retired_at: z.string().nullable(),
});

const BATCH = 20_000;
const BLOCK_LEAVES = 2 ** STORED_LEVEL_STEP;

class Divergence extends Error {
  constructor(
    readonly reason: string,
    readonly seq: number | null,
    readonly treeSize: number | null = null,
  ) {
    super(reason);
  }
}

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

async function signingKeys(
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
class HeadCursor {
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
class NodeChecker {
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
