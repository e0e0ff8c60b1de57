import { getTranslations } from 'next-intl/server';
import type { RequestHistoryEntry } from '@/features/api/types';
import { StepsList } from './steps-list';

/** The steps of a request so far, oldest first, with their times. */
export async function RequestHistory({ history }: { history: RequestHistoryEntry[] }) {
  const t = await getTranslations('privacy.request');
  return (
    <section aria-labelledby="history-heading" className="card">
      <h2 id="history-heading">{t('history')}</h2>
      {history.length === 0 ? <p>{t('noHistory')}</p> : <StepsList history={history} />}
    </section>
  );
}
