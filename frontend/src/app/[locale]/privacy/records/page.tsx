import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { ProcessingRecord } from '@/features/api/types';
import { privacyNames } from '@/features/privacy/names';
import { ProcessingActivity } from '@/features/privacy/processing-activity';
import { When } from '@/features/privacy/when';
import { Forbidden } from '@/features/shell/forbidden';
import { PageHeading } from '@/features/shell/page-heading';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.records');
  return { title: t('title') };
}

/** The tenant's record of processing activities (GDPR art. 30), generated now, and its export. */
export default async function ProcessingRecordPage({ params }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('privacy.records');
  const permissions = await myPermissions();
  if (!mayDo(permissions, 'read', 'ProcessingRecord')) return <Forbidden />;
  const loaded = await load(api<ProcessingRecord>('/v1/privacy/processing-record'));
  if (!loaded.ok) return <Forbidden />;
  const record = loaded.value;
  const names = await privacyNames();
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      <section aria-labelledby="controller-heading" className="card">
        <h2 id="controller-heading">{t('controller')}</h2>
        <dl className="details">
          <dt>{t('name')}</dt>
          <dd>{record.controller.name}</dd>
          <dt>{t('note')}</dt>
          <dd lang={names.english}>{record.controller.note}</dd>
          <dt>{t('generated')}</dt>
          <dd>
            <When value={record.generatedAt} />
          </dd>
        </dl>
        {mayDo(permissions, 'export', 'ProcessingRecord') && (
          <nav aria-label={t('exportLabel')} className="action-row">
            {(['json', 'csv', 'md'] as const).map((format) => (
              <a
                key={format}
                href={`/api/privacy/processing-record?format=${format}`}
                className="button secondary"
                download
              >
                {t(`export.${format}`)}
              </a>
            ))}
          </nav>
        )}
      </section>
      <section aria-labelledby="activities-heading" className="stack">
        <h2 id="activities-heading">{t('activities', { count: record.activities.length })}</h2>
        {record.activities.map((activity, index) => (
          <ProcessingActivity key={activity.id} activity={activity} index={index} />
        ))}
      </section>
      <section aria-labelledby="security-heading" className="card">
        <h2 id="security-heading">{t('security')}</h2>
        <ul lang={names.english}>
          {record.security.map((measure) => (
            <li key={measure}>{measure}</li>
          ))}
        </ul>
        <h3>{t('transfers')}</h3>
        {record.transfers.length === 0 ? (
          <p>{t('noTransfers')}</p>
        ) : (
          <ul lang={names.english}>
            {record.transfers.map((transfer) => (
              <li key={`${transfer.recipient}|${transfer.country}`}>
                {transfer.recipient} ({transfer.country}): {transfer.safeguard}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
