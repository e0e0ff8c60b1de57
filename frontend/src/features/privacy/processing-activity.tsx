import { getTranslations } from 'next-intl/server';
import type { ProcessingRecord } from '@/features/api/types';
import { privacyNames } from './names';

type Activity = ProcessingRecord['activities'][number];

/**
 * One activity of the record of processing (GDPR art. 30(1)(b)–(f)): purpose, basis, people,
 * categories (special ones marked) and where they are stored, recipients, and how long the data is
 * kept for this tenant. The declarations are in English; they are marked so, to be read out right.
 */
export async function ProcessingActivity({ activity, index }: { activity: Activity; index: number }) {
  const t = await getTranslations('privacy.records.activity');
  const names = await privacyNames();
  const name = names.purpose(activity.id, activity.name);
  const en = names.english;
  const headingId = `activity-${index}`;
  return (
    <section aria-labelledby={headingId} className="card activity">
      <h3 id={headingId} lang={name.lang}>
        {name.text}
      </h3>
      <dl className="details">
        <dt>{t('description')}</dt>
        <dd lang={en}>{activity.description}</dd>
        <dt>{t('basis')}</dt>
        <dd lang={en}>{activity.basis}</dd>
        <dt>{t('subjects')}</dt>
        <dd lang={en}>{activity.subjects.join(', ')}</dd>
        <dt>{t('categories')}</dt>
        <dd>
          <ul className="plain-list">
            {activity.categories.map((category) => {
              const label = names.category(category.name, category.description);
              return (
                <li key={category.name}>
                  <span lang={label.lang}>{label.text}</span>
                  {category.special && <span className="badge special">{t('special')}</span>}{' '}
                  <span className="muted">({category.tables.map((table) => table.table).join(', ')})</span>
                </li>
              );
            })}
          </ul>
        </dd>
        <dt>{t('recipients')}</dt>
        <dd lang={en}>{activity.recipients.join('; ')}</dd>
        <dt>{t('retention')}</dt>
        <dd>
          {activity.retention.length > 0 ? (
            <ul className="plain-list">
              {activity.retention.map((schedule) => (
                <li key={schedule.schedule}>
                  <code>{schedule.schedule}</code>: {t('days', { count: schedule.days })}
                  {schedule.tenantChosen && <span className="muted"> {t('tenantChosen')}</span>}
                  <span className="muted" lang={en}>
                    {' '}
                    — {schedule.basis}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            t('noRetention')
          )}
        </dd>
        {activity.consent === 'required' && (
          <>
            <dt>{t('consent')}</dt>
            <dd>{t('consentRequired')}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
