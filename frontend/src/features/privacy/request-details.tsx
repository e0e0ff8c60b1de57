import { getTranslations } from 'next-intl/server';
import type { PrivacyRequest, User } from '@/features/api/types';
import { OverdueBadge, RequestStatusBadge } from './badges';
import { privacyNames } from './names';
import { personName } from './people';
import { When } from './when';

/**
 * What the officer knows about a request. Fields the policy withholds (a compliance officer does
 * not learn which patient it concerns) are absent from the API's answer and so from here.
 */
export async function RequestDetails({
  request,
  people,
}: {
  request: PrivacyRequest;
  people: Map<string, User>;
}) {
  const t = await getTranslations('privacy.request');
  const tType = await getTranslations('privacy.types');
  const names = await privacyNames();
  const jurisdiction = names.jurisdiction(request.jurisdiction);
  const due = request.effectiveDueAt ?? request.extendedDueAt ?? request.dueAt;
  const tMethod = await getTranslations('privacy.request.methods');
  const methodKey = `${request.identityMethod}` as Parameters<typeof tMethod>[0];
  const none = <span className="muted">{t('none')}</span>;
  return (
    <section aria-labelledby="details-heading" className="card">
      <h2 id="details-heading">{t('details')}</h2>
      <dl className="details">
        <dt>{t('type')}</dt>
        <dd>{tType(request.type)}</dd>
        <dt>{t('status')}</dt>
        <dd>
          <RequestStatusBadge status={request.status} />
        </dd>
        <dt>{t('received')}</dt>
        <dd>
          <When value={request.receivedAt} />
        </dd>
        <dt>{t('due')}</dt>
        <dd>
          <When value={due} /> {request.overdue && <OverdueBadge />}
          {request.extendedDueAt && (
            <p className="hint">
              {t('originalDue')} <When value={request.dueAt} />
            </p>
          )}
        </dd>
        {request.extensionReason && (
          <>
            <dt>{t('extensionReason')}</dt>
            <dd dir="auto">{request.extensionReason}</dd>
          </>
        )}
        <dt>{t('jurisdiction')}</dt>
        <dd lang={jurisdiction.lang}>{jurisdiction.text}</dd>
        {'contactEmail' in request && (
          <>
            <dt>{t('contact')}</dt>
            <dd dir="ltr">{request.contactEmail ?? none}</dd>
          </>
        )}
        {'subjectReference' in request && (
          <>
            <dt>{t('subjectReference')}</dt>
            <dd dir="auto">{request.subjectReference || none}</dd>
          </>
        )}
        {'details' in request && (
          <>
            <dt>{t('requestDetails')}</dt>
            <dd className="free-text" dir="auto">
              {request.details || none}
            </dd>
          </>
        )}
        {request.rectification && (
          <>
            <dt>{t('rectification')}</dt>
            <dd>
              {request.rectification.name && (
                <div dir="auto">{t('newName', { name: request.rectification.name })}</div>
              )}
              {request.rectification.email && (
                <div dir="ltr">{t('newEmail', { email: request.rectification.email })}</div>
              )}
            </dd>
          </>
        )}
        {request.objectionPurposes && request.objectionPurposes.length > 0 && (
          <>
            <dt>{t('objectionPurposes')}</dt>
            <dd>
              <ul className="plain-list">
                {request.objectionPurposes.map((id) => {
                  const name = names.purpose(id);
                  return (
                    <li key={id} lang={name.lang}>
                      {name.text}
                    </li>
                  );
                })}
              </ul>
            </dd>
          </>
        )}
        {'subjectPatientId' in request && (
          <>
            <dt>{t('patient')}</dt>
            <dd>{request.subjectPatientId ? <code>{request.subjectPatientId}</code> : none}</dd>
          </>
        )}
        {'subjectUserId' in request && (
          <>
            <dt>{t('account')}</dt>
            <dd>
              {request.subjectUserId
                ? (personName(people, request.subjectUserId) ?? <code>{request.subjectUserId}</code>)
                : none}
            </dd>
          </>
        )}
        <dt>{t('identity')}</dt>
        <dd>
          {request.identityVerifiedAt ? (
            <>
              {tMethod.has(methodKey) ? tMethod(methodKey) : t('verified')},{' '}
              <When value={request.identityVerifiedAt} />
            </>
          ) : (
            t('notVerified')
          )}
        </dd>
        <dt>{t('assignee')}</dt>
        <dd>
          {request.assigneeId
            ? (personName(people, request.assigneeId) ?? <code>{request.assigneeId}</code>)
            : none}
        </dd>
        {request.rejectionReason && (
          <>
            <dt>{t('rejectionReason')}</dt>
            <dd dir="auto">{request.rejectionReason}</dd>
          </>
        )}
        {request.completedAt && (
          <>
            <dt>{t('completed')}</dt>
            <dd>
              <When value={request.completedAt} />
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
