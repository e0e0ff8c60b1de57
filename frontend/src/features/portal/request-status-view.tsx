import { getFormatter, getTranslations } from 'next-intl/server';
import type { PortalStatus } from '@/features/api/types';
import { RequestStatusBadge } from '@/features/privacy/badges';
import { privacyNames } from '@/features/privacy/names';
import { KeptList, StepsList } from '@/features/privacy/steps-list';
import { When } from '@/features/privacy/when';

/**
 * A request as its requester follows it: where it stands, the steps so far with their dates, the
 * deadline, what happens next, the result to download, what was kept and why, and, for a refusal,
 * the reason and the right to complain (GDPR art. 12(4), 77). Dates in the requester's time zone.
 */
export async function RequestStatusView({
  request,
  downloadHref,
  timeZone,
}: {
  request: PortalStatus;
  /** Where the result downloads from (through the web app), when there is one. */
  downloadHref?: string;
  timeZone?: string;
}) {
  const t = await getTranslations('portal.status');
  const tType = await getTranslations('privacy.types');
  const format = await getFormatter();
  const names = await privacyNames();
  const jurisdiction = names.jurisdiction(request.jurisdiction);
  const due = request.extendedDueAt ?? request.dueAt;
  const nextKey = `next.${request.status}` as Parameters<typeof t>[0];
  const result = request.result;
  return (
    <>
      <section aria-labelledby="summary-heading" className="card">
        <h2 id="summary-heading">{t('summary')}</h2>
        <dl className="details">
          <dt>{t('reference')}</dt>
          <dd>
            <code>{request.reference}</code>
          </dd>
          <dt>{t('type')}</dt>
          <dd>{tType(request.type)}</dd>
          <dt>{t('status')}</dt>
          <dd>
            <RequestStatusBadge status={request.status} />
          </dd>
          <dt>{t('received')}</dt>
          <dd>
            <When value={request.receivedAt} timeZone={timeZone} />
          </dd>
          {request.status !== 'completed' && request.status !== 'rejected' && (
            <>
              <dt>{t('due')}</dt>
              <dd>
                <When value={due} timeZone={timeZone} />
                {request.extendedDueAt && (
                  <p className="hint">
                    {t('extendedFrom')} <When value={request.dueAt} timeZone={timeZone} />
                  </p>
                )}
              </dd>
            </>
          )}
          <dt>{t('law')}</dt>
          <dd lang={jurisdiction.lang}>{jurisdiction.text}</dd>
        </dl>
        {t.has(nextKey) && (
          <>
            <h3>{t('nextTitle')}</h3>
            <p>{t(nextKey)}</p>
          </>
        )}
      </section>
      <section aria-labelledby="steps-heading" className="card">
        <h2 id="steps-heading">{t('steps')}</h2>
        <StepsList history={request.history} timeZone={timeZone} />
      </section>
      {result?.available && downloadHref && (
        <section aria-labelledby="result-heading" className="card">
          <h2 id="result-heading">{t('resultTitle')}</h2>
          <p>{t('resultBody')}</p>
          <p>
            <a href={downloadHref} className="button" download>
              {t('download', { size: format.number(result.bytes / 1024, { maximumFractionDigits: 1 }) })}
            </a>
          </p>
          {result.expiresAt && (
            <p className="hint">
              {t('expires')} <When value={result.expiresAt} timeZone={timeZone} />
            </p>
          )}
        </section>
      )}
      {request.kept.length > 0 && (
        <section aria-labelledby="kept-heading" className="card">
          <h2 id="kept-heading">{t('keptTitle')}</h2>
          <p>{t('keptIntro')}</p>
          <KeptList kept={request.kept} />
        </section>
      )}
      {request.status === 'rejected' && (
        <section aria-labelledby="rejected-heading" className="card">
          <h2 id="rejected-heading">{t('rejectedTitle')}</h2>
          {request.rejectionReason && (
            <blockquote className="quoted" dir="auto">
              {request.rejectionReason}
            </blockquote>
          )}
          <p>{t('complain')}</p>
        </section>
      )}
      {request.status === 'completed' && <p className="hint">{t('complainCompleted')}</p>}
    </>
  );
}
