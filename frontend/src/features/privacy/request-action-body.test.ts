import { describe, expect, it } from 'vitest';
import { REASON_MAX, requestActionBody } from './request-action-body';

const patient = 'fa710000-0000-4000-8000-000000000001';
const fields =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('requestActionBody', () => {
  it('links the patient and says how the identity was checked', () => {
    expect(
      requestActionBody(
        'verify-identity',
        fields({ subjectPatientId: ` ${patient} `, note: 'Passport seen', method: 'officer' }),
      ),
    ).toEqual({ ok: true, body: { subjectPatientId: patient, note: 'Passport seen', method: 'officer' } });
  });

  it('refuses a malformed id and a missing note, naming the field', () => {
    expect(requestActionBody('verify-identity', fields({ subjectPatientId: 'PT-0001', note: 'x' }))).toEqual({
      ok: false,
      error: 'id_format',
      fields: ['subjectPatientId'],
    });
    expect(requestActionBody('verify-identity', fields({ subjectPatientId: patient }))).toEqual({
      ok: false,
      error: 'note_required',
      fields: ['note'],
    });
  });

  it('leaves out a method the API does not know', () => {
    const body = requestActionBody('verify-identity', fields({ note: 'n', method: 'telepathy' }));
    expect(body).toEqual({ ok: true, body: { note: 'n' } });
  });

  it.each(['extend', 'reject'] as const)('needs a reason of at most %s characters to %s', (action) => {
    expect(requestActionBody(action, fields({ reason: '  ' }))).toMatchObject({
      ok: false,
      fields: ['reason'],
    });
    expect(requestActionBody(action, fields({ reason: 'x'.repeat(REASON_MAX + 1) }))).toMatchObject({
      ok: false,
    });
    expect(requestActionBody(action, fields({ reason: 'Complex case\r\n' }))).toEqual({
      ok: true,
      body: { reason: 'Complex case' },
    });
  });

  it('assigns only to an id, and processes with no body', () => {
    expect(requestActionBody('assign', fields({ assigneeId: 'me' }))).toMatchObject({ ok: false });
    expect(requestActionBody('assign', fields({ assigneeId: patient }))).toEqual({
      ok: true,
      body: { assigneeId: patient },
    });
    expect(requestActionBody('process', fields({}))).toEqual({ ok: true, body: undefined });
  });
});
