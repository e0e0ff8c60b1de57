import { getTranslations } from 'next-intl/server';
import type { PortalInfo } from '@/features/api/types';
import { privacyNames } from '@/features/privacy/names';

/**
 * What happens after filing, and how long the organisation has to answer under each law the
 * portal offers (GDPR art. 12(3), HIPAA §164.524(b)(2), CCPA): told before anyone files.
 */
export async function RightsNote({ info }: { info: PortalInfo }) {
  const t = await getTranslations('portal.next');
  const names = await privacyNames();
  const period = (jurisdiction: PortalInfo['jurisdictions'][number]) => {
    if (typeof jurisdiction.answerMonths === 'number')
      return t('months', { count: jurisdiction.answerMonths });
    if (typeof jurisdiction.answerDays === 'number') return t('days', { count: jurisdiction.answerDays });
    if (typeof jurisdiction.answerBusinessDays === 'number') {
      return t('businessDays', { count: jurisdiction.answerBusinessDays });
    }
    return undefined;
  };
  return (
    <section aria-labelledby="next-heading" className="card">
      <h2 id="next-heading">{t('title')}</h2>
      <ol className="steps">
        <li>{t('confirm')}</li>
        <li>{t('identity')}</li>
        <li>{t('answer')}</li>
      </ol>
      <h3>{t('periods')}</h3>
      <ul>
        {info.jurisdictions.map((jurisdiction) => {
          const name = names.jurisdiction(jurisdiction.id, jurisdiction.name);
          const answer = period(jurisdiction);
          return (
            <li key={jurisdiction.id}>
              <span lang={name.lang}>{name.text}</span>
              {answer ? `: ${answer}` : ''}
            </li>
          );
        })}
      </ul>
      <p className="hint">{t('complain')}</p>
    </section>
  );
}
