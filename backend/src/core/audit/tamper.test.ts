/**
 * Tests that try to cheat. With superuser access to the database, each test alters the trail the
 * way a rogue administrator could (triggers disabled), runs verification inside the same
 * transaction, then rolls back. Each change must be caught at the exact sequence number or tree head.
 */
import { type AuditEntry, leafHash, toHex, ZERO_HASH_HEX } from '@custos/audit';
import { type DatabaseTransactionConnection, sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flush, trailOf } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { AuditRecorder } from './audit-recorder.js';
import { MASTER_KEY } from './master-key.js';
import { searchColumnsOf } from './search-columns.js';
import { type VerificationResult, verifyTrail } from './trail-verifier.js';

const EVENTS = 600;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  const recorder = t.app.get(AuditRecorder);
  // Heads at several sizes; the start events come first.
  for (let batch = 0; batch < 6; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        recorder.recordDurably('system', {
          type: 'access.denied',
          outcome: 'denied',
          resource: { type: 'Route', id: null, tenantId: null },
          payload: { route: `/r/${batch}/${i}`, method: 'GET' },
        }),
      ),
    );
    await flush(t);
  }
}, 60_000);
afterAll(() => t?.close());

class Rollback extends Error {}

/** Runs `tamper` as a superuser with triggers off, verifies in the same transaction, rolls back. */
async function tampered(
  tamper: (tx: DatabaseTransactionConnection) => Promise<void>,
): Promise<VerificationResult> {
  let result: VerificationResult | undefined;
  await t.adminPool
    .transaction(async (tx) => {
      await tx.query(sql.unsafe`SET LOCAL session_replication_role = replica`);
      await tamper(tx);
      result = await verifyTrail(tx, { master: t.app.get(MASTER_KEY) });
      throw new Rollback();
    })
    .catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as VerificationResult;
}

/** Inserts a row as the sealer would (search columns taken from the entry). */
async function insertEntry(tx: DatabaseTransactionConnection, seq: number, entry: string): Promise<void> {
  const c = searchColumnsOf(JSON.parse(entry) as AuditEntry);
  await tx.query(sql.unsafe`
    INSERT INTO audit_events
      (seq, entry, leaf_hash, occurred_at, type, outcome, tenant_id, actor_id, resource_type, resource_id, subject)
    VALUES (${seq}, ${entry}, ${sql.binary(leafHash(entry))}, ${c.occurredAt}, ${c.type}, ${c.outcome},
            ${c.tenantId}, ${c.actorId}, ${c.resourceType}, ${c.resourceId}, ${c.subject})`);
}

const entryAt = (tx: DatabaseTransactionConnection, seq: number) =>
  tx.oneFirst(sql.type(z.object({ entry: z.string() }))`SELECT entry FROM audit_events WHERE seq = ${seq}`);
const size = () =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM audit_events`);
const headSizes = () =>
  t.adminPool.anyFirst(
    sql.type(
      z.object({ s: z.coerce.number() }),
    )`SELECT tree_size AS s FROM audit_tree_heads ORDER BY tree_size`,
  );

describe('an untouched trail', () => {
  it('verifies end to end, every head and every stored node', async () => {
    const result = await verifyTrail(t.adminPool);
    expect(result).toMatchObject({ ok: true, firstBadSeq: null, badTreeSize: null });
    expect(result.checkedEvents).toBe(await size());
    expect(result.checkedEvents).toBeGreaterThanOrEqual(EVENTS);
    expect(result.checkedHeads).toBe((await headSizes()).length);
  });
});

describe('a rogue superuser', () => {
  it('alters one field of one event: caught at that event', async () => {
    const result = await tampered(async (tx) => {
      const entry = await entryAt(tx, 150);
      await tx.query(
        sql.unsafe`UPDATE audit_events SET entry = ${entry.replace('"GET"', '"POST"')} WHERE seq = 150`,
      );
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 150 });
    expect(result.reason).toContain('altered');
  });

  it('alters an event and recomputes its stored hash: caught at that event (its successor no longer links)', async () => {
    const result = await tampered(async (tx) => {
      const entry = (await entryAt(tx, 150)).replace('"GET"', '"POST"');
      await tx.query(sql.unsafe`
        UPDATE audit_events SET entry = ${entry}, leaf_hash = ${sql.binary(leafHash(entry))} WHERE seq = 150`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 150 });
  });

  it('deletes one event: caught at the gap', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`DELETE FROM audit_events WHERE seq = 150`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 150 });
    expect(result.reason).toContain('missing');
  });

  it('swaps two events: caught at the first of them', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`UPDATE audit_events SET seq = 1000000 WHERE seq = 150`);
      await tx.query(sql.unsafe`UPDATE audit_events SET seq = 150 WHERE seq = 151`);
      await tx.query(sql.unsafe`UPDATE audit_events SET seq = 151 WHERE seq = 1000000`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 150 });
    expect(result.reason).toContain('out of place');
  });

  it('truncates the tail: caught at the first missing event, against the head that covered it', async () => {
    const n = await size();
    const lastHead = (await headSizes()).at(-1) as number;
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`DELETE FROM audit_events WHERE seq >= ${n - 10}`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: n - 10, badTreeSize: lastHead });
  });

  it('inserts a forged, correctly chained event (shifting the rest): caught at the forgery', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 150`);
      await tx.query(sql.unsafe`UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000`);
      const previous = JSON.parse(await entryAt(tx, 149)) as Record<string, unknown>;
      const prevHash = toHex(leafHash(await entryAt(tx, 149)));
      const forged = JSON.stringify(
        Object.fromEntries(
          Object.entries({ ...previous, seq: 150, prevHash, requestId: 'forged' }).sort(([a], [b]) =>
            a < b ? -1 : 1,
          ),
        ),
      );
      await insertEntry(tx, 150, forged);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 150 });
    expect(result.reason).toContain('inserted');
  });

  it('appends a forged event after the newest head without the real chain: caught at it', async () => {
    const n = await size();
    const result = await tampered(async (tx) => {
      const last = JSON.parse(await entryAt(tx, n - 1)) as Record<string, unknown>;
      const forged = JSON.stringify({ ...last, seq: n, prevHash: ZERO_HASH_HEX });
      await insertEntry(tx, n, forged);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: n });
    expect(result.reason).toContain('forged');
  });

  it('rewrites the chain consistently from an event on: the signed head catches it', async () => {
    const n = await size();
    const lastHead = (await headSizes()).at(-1) as number;
    const from = 530; // past the last complete 256-leaf block, so no stored node covers it
    const result = await tampered(async (tx) => {
      let prevHash = toHex(leafHash(await entryAt(tx, from - 1)));
      for (let seq = from; seq < n; seq++) {
        const entry = JSON.parse(await entryAt(tx, seq)) as Record<string, unknown>;
        const rewritten = JSON.stringify(
          Object.fromEntries(
            Object.entries({
              ...entry,
              prevHash,
              requestId: seq === from ? 'rewritten' : entry.requestId,
            }).sort(([a], [b]) => (a < b ? -1 : 1)),
          ),
        );
        const hash = leafHash(rewritten);
        await tx.query(sql.unsafe`
          UPDATE audit_events SET entry = ${rewritten}, leaf_hash = ${sql.binary(hash)} WHERE seq = ${seq}`);
        prevHash = toHex(hash);
      }
    });
    expect(result).toMatchObject({ ok: false, badTreeSize: lastHead });
    expect(result.reason).toContain(`tree head ${lastHead}`);
  });

  it('replaces a tree head’s root: caught at that head', async () => {
    const head = (await headSizes())[2] as number;
    const result = await tampered(async (tx) => {
      await tx.query(
        sql.unsafe`UPDATE audit_tree_heads SET root_hash = sha256('forged') WHERE tree_size = ${head}`,
      );
    });
    expect(result).toMatchObject({ ok: false, badTreeSize: head });
    expect(result.reason).toContain('not validly signed');
  });

  it('re-signs a head with a key of their own, stored in full, with a valid signature: caught at that head', async () => {
    const { generateSigningKey, rawPublicKey, signTreeHead } = await import('@custos/audit');
    const head = (await headSizes())[2] as number;
    const result = await tampered(async (tx) => {
      // Everything about this key is consistent except that the master key never wrapped it.
      const rogue = generateSigningKey();
      const current = await tx.one(sql.type(z.object({ root_hash: z.instanceof(Buffer) }))`
        SELECT root_hash FROM audit_tree_heads WHERE tree_size = ${head}`);
      const signed = signTreeHead(
        {
          treeSize: head,
          rootHash: current.root_hash.toString('hex'),
          timestamp: new Date().toISOString(),
          keyId: rogue.keyId,
        },
        rogue.privateKey,
      );
      const der = rogue.privateKey.export({ format: 'der', type: 'pkcs8' });
      await tx.query(sql.unsafe`
        INSERT INTO audit_signing_keys (key_id, public_key, private_key, retired_at)
        VALUES (${rogue.keyId}, ${sql.binary(rawPublicKey(rogue.publicKey))}, ${sql.binary(der)}, '9999-12-31')`);
      await tx.query(sql.unsafe`
        UPDATE audit_tree_heads SET "timestamp" = ${signed.timestamp}, key_id = ${rogue.keyId},
          signature = ${sql.binary(Buffer.from(signed.signature, 'base64'))} WHERE tree_size = ${head}`);
    });
    expect(result).toMatchObject({ ok: false, badTreeSize: head, keysAuthenticated: true });
    expect(result.reason).toContain('did not make');
  });

  it.each([
    ['occurredAt', sql.fragment`occurred_at = occurred_at - interval '1 hour'`],
    ['type', sql.fragment`type = 'device.read'`],
    ['outcome', sql.fragment`outcome = 'allowed'`],
    ['tenantId', sql.fragment`tenant_id = '0a1c0000-0000-4000-8000-000000000002'`],
    ['actorId', sql.fragment`actor_id = 'someone-else'`],
    ['resourceType', sql.fragment`resource_type = 'Device'`],
    ['resourceId', sql.fragment`resource_id = 'x'`],
    ['subject', sql.fragment`subject = ${'ab'.repeat(32)}`],
  ])('alters search column %s of one event: caught at that event', async (column, change) => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`UPDATE audit_events SET ${change} WHERE seq = 200`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 200 });
    expect(result.reason).toContain(`search column ${column}`);
  });

  it('moves an event to another tenant through its search column: caught at that event', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`
        UPDATE audit_events SET tenant_id = '0a1c0000-0000-4000-8000-000000000002' WHERE seq = 200`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 200 });
    expect(result.reason).toContain('search column tenantId');
  });

  it('deletes a stored tree node: caught at the first event it covers', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`DELETE FROM audit_tree_nodes WHERE level = 8 AND idx = 0`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 0 });
    expect(result.reason).toContain('is missing');
  });

  it('alters a stored tree node: caught at the first event it covers', async () => {
    const result = await tampered(async (tx) => {
      await tx.query(sql.unsafe`UPDATE audit_tree_nodes SET hash = sha256('x') WHERE level = 8 AND idx = 1`);
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 256 });
    expect(result.reason).toContain('stored tree node');
  });
});

describe('the signer', () => {
  it('refuses to sign a new head over a trail that no longer matches the last one', async () => {
    const fresh = await createTestApp();
    try {
      await flush(fresh);
      await fresh.adminPool.transaction(async (tx) => {
        await tx.query(sql.unsafe`SET LOCAL session_replication_role = replica`);
        await tx.query(sql.unsafe`UPDATE audit_events SET leaf_hash = sha256('x') WHERE seq = 0`);
      });
      await fresh.request('GET', '/api/v1/tenants', { as: 'admin' }); // a new event to sign over
      await expect(trailOf(fresh).flush()).rejects.toThrow(/no longer matches the signed tree head/);
    } finally {
      await fresh.close();
    }
  });
});
