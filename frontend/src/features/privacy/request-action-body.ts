/** What each of the officer's request steps sends to the API, checked first (pure, for tests). */

export const requestActionNames = ['assign', 'verify-identity', 'extend', 'reject', 'process'] as const;
export type RequestActionName = (typeof requestActionNames)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REASON_MAX = 2000;

export type ActionBody =
  | { ok: true; body: Record<string, unknown> | undefined }
  | { ok: false; error: string; fields: string[] };

const text = (value: string) => value.replace(/\r\n/g, '\n').trim();

export function requestActionBody(action: RequestActionName, field: (name: string) => string): ActionBody {
  switch (action) {
    case 'assign': {
      const assigneeId = text(field('assigneeId'));
      return UUID.test(assigneeId)
        ? { ok: true, body: { assigneeId } }
        : { ok: false, error: 'choose_assignee', fields: ['assigneeId'] };
    }
    case 'verify-identity': {
      const subjectPatientId = text(field('subjectPatientId'));
      const subjectUserId = text(field('subjectUserId'));
      const note = text(field('note'));
      const bad = [
        ...(subjectPatientId && !UUID.test(subjectPatientId) ? ['subjectPatientId'] : []),
        ...(subjectUserId && !UUID.test(subjectUserId) ? ['subjectUserId'] : []),
      ];
      if (bad.length > 0) return { ok: false, error: 'id_format', fields: bad };
      if (!note || note.length > REASON_MAX) return { ok: false, error: 'note_required', fields: ['note'] };
      // How the identity was checked: the code mailed to the requester, or the officer themselves.
      const method = field('method');
      return {
        ok: true,
        body: {
          ...(subjectPatientId ? { subjectPatientId } : {}),
          ...(subjectUserId ? { subjectUserId } : {}),
          note,
          ...(method === 'email-code' || method === 'officer' ? { method } : {}),
        },
      };
    }
    case 'extend':
    case 'reject': {
      const reason = text(field('reason'));
      if (!reason || reason.length > REASON_MAX)
        return { ok: false, error: 'reason_required', fields: ['reason'] };
      return { ok: true, body: { reason } };
    }
    case 'process':
      return { ok: true, body: undefined };
  }
}
