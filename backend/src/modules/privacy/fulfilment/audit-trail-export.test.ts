/** How one audit event appears in the subject's copy: theirs in full, other people by kind only. */
import type { AuditEntry } from '@custos/audit';
import { describe, expect, it } from 'vitest';
import { SealedDataUnreadable } from '../../../core/audit/subject-vault.js';
import { type OpenSealed, presentEvent } from './audit-trail-export.js';

const THEM = 'a'.repeat(64);
const SOMEONE = 'b'.repeat(64);
const sealed = { alg: 'A256GCM' as const, keyRef: THEM, iv: 'aXY=', ciphertext: 'Yw==', tag: 'dA==' };

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry =>
  ({
    v: 1,
    seq: 7,
    prevHash: '0'.repeat(64),
    type: 'device.read',
    time: '2026-11-25T10:00:00.000Z',
    outcome: 'allowed',
    actor: { kind: 'user', id: 'clinician-1', roles: ['clinician'], tenantId: 't1', onBehalfOf: null },
    resource: { type: 'Device', id: 'd1', tenantId: 't1' },
    subject: THEM,
    purposeOfUse: 'treatment',
    requestId: 'r1',
    source: { ip: '10.0.0.1', userAgent: 'browser' },
    payload: { ids: ['d1'], count: 1 },
    sealed,
    ...overrides,
  }) as AuditEntry;

const scope = { pseudonyms: [THEM], userIds: ['u-them'] };
const opens =
  (value: Record<string, unknown> | null): OpenSealed =>
  async () =>
    value;

describe('presentEvent', () => {
  it('shows an event about the subject with their personal data, the actor by kind only', async () => {
    expect(await presentEvent(entry(), scope, opens({ patientId: 'p1' }))).toEqual({
      seq: 7,
      time: '2026-11-25T10:00:00.000Z',
      type: 'device.read',
      outcome: 'allowed',
      actor: { kind: 'user' },
      purposeOfUse: 'treatment',
      resource: { type: 'Device', id: 'd1' },
      payload: { ids: ['d1'], count: 1 },
      personal: { patientId: 'p1' },
      personalStatus: 'available',
    });
  });

  it('says when the personal data was erased, or cannot be read, rather than failing', async () => {
    expect(await presentEvent(entry(), scope, opens(null))).toMatchObject({
      personal: null,
      personalStatus: 'erased',
    });
    const broken: OpenSealed = async () => {
      throw new SealedDataUnreadable(new Error('bad tag'));
    };
    expect(await presentEvent(entry(), scope, broken)).toMatchObject({
      personal: null,
      personalStatus: 'unreadable',
    });
    expect(await presentEvent(entry({ sealed: null }), scope, opens(null))).toMatchObject({
      personalStatus: 'none',
    });
  });

  it('shows what the subject did about someone else without anything of that person', async () => {
    const theirs = entry({
      subject: SOMEONE,
      actor: { kind: 'user', id: 'u-them', roles: ['clinician'], tenantId: 't1', onBehalfOf: null },
    });
    const shown = await presentEvent(theirs, scope, opens({ patientId: 'someone' }));
    expect(shown).toEqual({
      seq: 7,
      time: '2026-11-25T10:00:00.000Z',
      type: 'device.read',
      outcome: 'allowed',
      actor: { kind: 'user', you: true },
      purposeOfUse: 'treatment',
      resource: { type: 'Device' },
    });
  });
});
