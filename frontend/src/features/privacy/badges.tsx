import { getTranslations } from 'next-intl/server';
import type { RequestStatus } from '@/features/api/types';

/** A request's status as text (colour only reinforces it). */
export async function RequestStatusBadge({ status }: { status: RequestStatus }) {
  const t = await getTranslations('privacy.statuses');
  const key = status as Parameters<typeof t>[0];
  return <span className={`badge request-${status}`}>{t.has(key) ? t(key) : status}</span>;
}

/** Past its deadline: said in words, not by colour alone. */
export async function OverdueBadge() {
  const t = await getTranslations('privacy');
  return <span className="badge overdue">{t('overdue')}</span>;
}
