import { getLocale, getTranslations } from 'next-intl/server';
import type { PrivacyRequest, User } from '@/features/api/types';
import { type ActionOutcome, ActionResult, fieldState, privacyErrorText } from './action-result';
import { runRequestAction } from './request-action';
import { REASON_MAX, type RequestActionName } from './request-action-body';

const open = (status: PrivacyRequest['status']) => status !== 'completed' && status !== 'rejected';

/**
 * The steps the request's state allows (as the API's workflow does: one extension, no rejection
 * while the job may be changing data, processing once the identity is verified and a subject
 * linked, or again after a failed job); the API still decides, and says why it refuses.
 */
export function availableActions(request: PrivacyRequest): RequestActionName[] {
  if (!open(request.status)) return [];
  const jobActive = request.job?.state === 'queued' || request.job?.state === 'running';
  const retry = request.status === 'in-progress' && request.job?.state === 'failed';
  return [
    'assign' as const,
    ...(request.identityVerifiedAt ? [] : ['verify-identity' as const]),
    ...((request.status === 'identity-verified' || request.status === 'extended') &&
    request.identityVerifiedAt
      ? ['process' as const]
      : retry
        ? ['process' as const]
        : []),
    ...(request.extendedDueAt ? [] : ['extend' as const]),
    ...(jobActive ? [] : ['reject' as const]),
  ];
}

/**
 * The officer's forms for one request (server actions with If-Match). The result of the last
 * step shows at the top of the panel and takes the focus: the pressed button may be gone.
 */
export async function RequestActions({
  request,
  etag,
  people,
  userId,
  result,
}: {
  request: PrivacyRequest;
  etag: string;
  people: Map<string, User>;
  userId?: string;
  result: ActionOutcome;
}) {
  const t = await getTranslations('privacy.request.actions');
  const locale = await getLocale();
  const actions = availableActions(request);
  const linked = Boolean(request.subjectPatientId || request.subjectUserId);
  const staff = [...people.values()].filter((person) => person.kind === 'staff');
  const subjects = [...people.values()].filter((person) => person.kind === 'data-subject');
  const bad = (action: RequestActionName, field: string, hint?: string) =>
    fieldState(result, action, field, 'request-result', hint);
  const doneKey = `done.${result.done}` as Parameters<typeof t>[0];
  const hidden = (action: RequestActionName) => (
    <>
      <input type="hidden" name="id" value={request.id} />
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="etag" value={etag} />
      <input type="hidden" name="locale" value={locale} />
    </>
  );
  return (
    <section aria-labelledby="actions-heading" className="card" id="actions">
      <h2 id="actions-heading">{t('title')}</h2>
      {result.done && t.has(doneKey) && (
        <ActionResult key={`done-${result.done}`} id="request-result" success title={t(doneKey)} />
      )}
      {result.error && (
        <ActionResult
          key={`error-${result.error}-${result.failed}`}
          id="request-result"
          success={false}
          title={await privacyErrorText(result.error)}
        />
      )}
      {actions.length === 0 && <p>{t('none')}</p>}
      <div className="action-grid">
        {actions.includes('assign') && (
          <form action={runRequestAction} className="panel-form">
            {hidden('assign')}
            <div className="field">
              <label htmlFor="assign-to">{t('assignee')}</label>
              <select
                id="assign-to"
                name="assigneeId"
                required
                defaultValue={request.assigneeId ?? userId ?? ''}
                {...bad('assign', 'assigneeId')}
              >
                {staff.map((person) => (
                  <option key={person.id} value={person.id}>
                    {person.id === userId
                      ? t('me', { name: person.displayName ?? person.username })
                      : (person.displayName ?? person.username)}
                  </option>
                ))}
                {userId && !people.has(userId) && <option value={userId}>{t('meUnnamed')}</option>}
              </select>
            </div>
            <button type="submit" className="button secondary">
              {t('do.assign')}
            </button>
          </form>
        )}
        {actions.includes('verify-identity') && (
          <form action={runRequestAction} className="panel-form wide">
            {hidden('verify-identity')}
            <fieldset className="choice-group">
              <legend>{t('verifyLegend')}</legend>
              <p className="hint" id="verify-hint">
                {t('verifyHint')}
              </p>
              <div className="field">
                <label htmlFor="verify-patient">{t('patientId')}</label>
                <input
                  id="verify-patient"
                  name="subjectPatientId"
                  type="text"
                  dir="ltr"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={36}
                  {...bad('verify-identity', 'subjectPatientId')}
                />
              </div>
              <div className="field">
                <label htmlFor="verify-user">{t('userAccount')}</label>
                <select
                  id="verify-user"
                  name="subjectUserId"
                  defaultValue=""
                  {...bad('verify-identity', 'subjectUserId')}
                >
                  <option value="">{t('noAccount')}</option>
                  {subjects.map((person) => (
                    <option key={person.id} value={person.id}>
                      {person.displayName ?? person.username}
                    </option>
                  ))}
                </select>
              </div>
              <fieldset className="choice-group inline">
                <legend>{t('method')}</legend>
                {(['email-code', 'officer'] as const).map((method) => (
                  <div key={method} className="choice">
                    <input
                      id={`verify-method-${method}`}
                      type="radio"
                      name="method"
                      value={method}
                      defaultChecked={method === (request.contactEmail === null ? 'officer' : 'email-code')}
                    />
                    <label htmlFor={`verify-method-${method}`}>{t(`methods.${method}`)}</label>
                  </div>
                ))}
              </fieldset>
              <div className="field">
                <label htmlFor="verify-note">{t('note')}</label>
                <textarea
                  id="verify-note"
                  name="note"
                  rows={3}
                  required
                  maxLength={REASON_MAX}
                  {...bad('verify-identity', 'note', 'verify-hint')}
                />
              </div>
              <button type="submit" className="button">
                {t('do.verify-identity')}
              </button>
            </fieldset>
          </form>
        )}
        {actions.includes('process') && (
          <form action={runRequestAction} className="panel-form">
            {hidden('process')}
            <p className="hint">{linked ? t('processHint') : t('linkFirst')}</p>
            <button type="submit" className="button">
              {t('do.process')}
            </button>
          </form>
        )}
        {(['extend', 'reject'] as const)
          .filter((action) => actions.includes(action))
          .map((action) => (
            <form key={action} action={runRequestAction} className="panel-form">
              {hidden(action)}
              <div className="field">
                <label htmlFor={`${action}-reason`}>{t(`reason.${action}`)}</label>
                <textarea
                  id={`${action}-reason`}
                  name="reason"
                  rows={3}
                  required
                  maxLength={REASON_MAX}
                  {...bad(action, 'reason', `${action}-hint`)}
                />
                <p id={`${action}-hint`} className="hint">
                  {t(`hint.${action}`)}
                </p>
              </div>
              <button type="submit" className={`button ${action === 'reject' ? 'danger' : 'secondary'}`}>
                {t(`do.${action}`)}
              </button>
            </form>
          ))}
      </div>
    </section>
  );
}
