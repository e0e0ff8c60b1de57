import { generateSigningKey, publicKeyRecord } from '@custos/audit';
import { describe, expect, it } from 'vitest';
import { signReceipt, unsignedReceipt, verifyReceipt } from './retention-receipt.js';
import type { RetentionReport, TenantSection } from './retention-report.js';

const key = generateSigningKey();
const keys = [publicKeyRecord(key.publicKey)];
const section: TenantSection = {
  tenantId: '0a1c0000-0000-4000-8000-000000000001',
  holds: ['3f1c0000-0000-4000-8000-000000000001'],
  schedules: [
    {
      schedule: 'telemetry.health',
      category: 'user.device.telemetry',
      action: 'drop-partitions',
      table: 'telemetry',
      days: 90,
      cutoff: '2026-04-01T00:00:00.000Z',
      rows: 1200,
      partitions: 3,
      held: 40,
      pastPeriod: 0,
      from: '2026-03-01T00:00:01.000Z',
      to: '2026-03-31T23:59:59.000Z',
    },
  ],
};
const report = {
  runId: '9e1c0000-0000-4000-8000-000000000001',
  dryRun: false,
  startedAt: '2026-06-30T02:30:00.123Z',
  finishedAt: '2026-06-30T02:30:04.456Z',
  tenants: [section],
} as RetentionReport;
const receipt = signReceipt(unsignedReceipt(report, section, key.keyId), key.privateKey);

describe('retention receipts', () => {
  it('verify as signed', () => {
    expect(receipt).toMatchObject({ runId: report.runId, tenantId: section.tenantId, keyId: key.keyId });
    expect(verifyReceipt(receipt, keys)).toEqual({ ok: true, keyId: key.keyId });
    expect(verifyReceipt(JSON.parse(JSON.stringify(receipt)), keys)).toMatchObject({ ok: true });
  });

  it.each([
    ['a changed count', { schedules: [{ ...receipt.schedules[0], rows: 1199 }] }],
    ['a changed period', { schedules: [{ ...receipt.schedules[0], from: '2026-02-01T00:00:00.000Z' }] }],
    ['a dropped hold', { holds: [] }],
    ['another tenant', { tenantId: '0a1c0000-0000-4000-8000-000000000002' }],
    ['a dry run passed off as real', { dryRun: true }],
  ])('fail with %s', (_what, change) => {
    expect(verifyReceipt({ ...receipt, ...change }, keys)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('fail without a signature, with an unknown key, or when not a receipt at all', () => {
    const { signature: _, ...unsigned } = receipt;
    expect(verifyReceipt(unsigned, keys)).toEqual({ ok: false, reason: 'unsigned' });
    const other = generateSigningKey();
    expect(verifyReceipt(receipt, [publicKeyRecord(other.publicKey)])).toMatchObject({ ok: false });
    expect(verifyReceipt({ ...receipt, signature: 'AAAA' }, keys)).toMatchObject({ ok: false });
    expect(verifyReceipt('receipt', keys)).toEqual({ ok: false, reason: 'not a retention receipt' });
    expect(verifyReceipt({ ...receipt, extra: 1 }, keys)).toEqual({
      ok: false,
      reason: 'not a retention receipt',
    });
  });
});
