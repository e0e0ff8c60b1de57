/**
 * Many writers, several sealers and signers at once (as with several API instances): the chain
 * never forks, sequence numbers have no gaps or duplicates, no event is lost or sealed twice, and
 * every head verifies.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { Database } from '../database/database.js';
import { AuditRecorder } from './audit-recorder.js';
import { AuditSealer } from './sealer.js';
import { SigningKeys } from './signing-keys.js';
import { verifyTrail } from './trail-verifier.js';
import { TreeSigner } from './tree-signer.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { DATABASE_POOL_SIZE: '20' } });
});
afterAll(() => t?.close());

describe('concurrent writers and sealers', () => {
  it('32 writers, 3 sealers and 2 signers racing: one gap-free chain holding every event once', async () => {
    const recorder = t.app.get(AuditRecorder);
    const db = t.app.get(Database);
    const keys = t.app.get(SigningKeys);
    const sealers = [new AuditSealer(db, 50), new AuditSealer(db, 50), new AuditSealer(db, 50)];
    const signers = [new TreeSigner(db, keys, null), new TreeSigner(db, keys, null)];
    let writing = true;
    const background = [
      ...sealers.map(async (sealer) => {
        while (writing) await sealer.sealAll();
      }),
      ...signers.map(async (signer) => {
        while (writing) {
          await signer.signNext();
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    ];
    const PER_WRITER = 40;
    await Promise.all(
      Array.from({ length: 32 }, async (_, writer) => {
        for (let i = 0; i < PER_WRITER; i++) {
          const draft = {
            type: 'access.denied' as const,
            outcome: 'denied' as const,
            resource: { type: 'Route', id: null, tenantId: null },
            payload: { route: `/w/${writer}/${i}`, method: 'GET' },
          };
          // Half inside business transactions, half through group commit.
          if (i % 2 === 0) await db.transaction((tx) => recorder.record(tx, 'system', draft));
          else await recorder.recordDurably('system', draft);
        }
      }),
    );
    writing = false;
    await Promise.all(background);
    await sealers[0]?.sealAll(true);
    await signers[0]?.signNext(true);

    const routes = await t.adminPool.anyFirst(sql.type(z.object({ route: z.string() }))`
      SELECT entry::jsonb #>> '{payload,route}' AS route FROM audit_events WHERE entry::jsonb #>> '{payload,route}' LIKE '/w/%'`);
    expect(routes).toHaveLength(32 * PER_WRITER);
    expect(new Set(routes).size).toBe(32 * PER_WRITER);
    const stats = await t.adminPool.one(
      sql.type(
        z.object({ n: z.coerce.number(), max: z.coerce.number(), intake: z.coerce.number() }),
      )`SELECT count(*) AS n, max(seq) AS max, (SELECT count(*) FROM audit_intake) AS intake FROM audit_events`,
    );
    expect(stats.max).toBe(stats.n - 1);
    expect(stats.intake).toBe(0);
    const result = await verifyTrail(t.adminPool);
    expect(result).toMatchObject({ ok: true, checkedEvents: stats.n });
    expect(result.checkedHeads).toBeGreaterThan(1);
  }, 60_000);
});
