import { describe, expect, it } from 'vitest';
import { holdBody } from './hold-input';

const site = '51e00000-0000-4000-8000-000000000001';
const owner = '05e70000-0000-4000-8000-000000000007';
const fields =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('holdBody', () => {
  it('sends only the target field its scope uses', () => {
    const form = { scope: 'site', siteId: site, deviceId: 'left over', reason: 'Litigation', ownerId: owner };
    expect(holdBody(fields(form), ['user.device.telemetry', 'user.device.telemetry'])).toEqual({
      ok: true,
      body: {
        scope: 'site',
        siteId: site,
        categories: ['user.device.telemetry'],
        reason: 'Litigation',
        ownerId: owner,
      },
    });
  });

  it('covers everything of the tenant without a target, and all categories when none are chosen', () => {
    expect(holdBody(fields({ scope: 'tenant', siteId: site, reason: 'Audit', ownerId: owner }), [])).toEqual({
      ok: true,
      body: { scope: 'tenant', reason: 'Audit', ownerId: owner },
    });
  });

  it('holds a person by patient record, or else by account', () => {
    const patient = 'fa710000-0000-4000-8000-000000000001';
    expect(
      holdBody(
        fields({ scope: 'subject', patientId: patient, userId: owner, reason: 'r', ownerId: owner }),
        [],
      ),
    ).toMatchObject({ ok: true, body: { patientId: patient } });
    expect(
      holdBody(fields({ scope: 'subject', userId: owner, reason: 'r', ownerId: owner }), []),
    ).toMatchObject({
      ok: true,
      body: { userId: owner },
    });
    expect(holdBody(fields({ scope: 'subject', reason: 'r', ownerId: owner }), [])).toMatchObject({
      ok: false,
      error: 'target_required',
    });
  });

  it('names what is missing: scope, target, reason, owner', () => {
    expect(holdBody(fields({}), [])).toMatchObject({ ok: false, fields: ['scope'] });
    expect(holdBody(fields({ scope: 'device', deviceId: 'D-1' }), [])).toMatchObject({
      fields: ['deviceId'],
    });
    expect(holdBody(fields({ scope: 'tenant', ownerId: owner }), [])).toMatchObject({ fields: ['reason'] });
    expect(holdBody(fields({ scope: 'tenant', reason: 'r' }), [])).toMatchObject({ fields: ['ownerId'] });
  });
});
