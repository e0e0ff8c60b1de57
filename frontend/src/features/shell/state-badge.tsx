import { getTranslations } from 'next-intl/server';
import type { LifecycleState } from '@/features/api/types';

/** A device's lifecycle state, as text (colour only reinforces it). */
export async function StateBadge({ state }: { state: LifecycleState }) {
  const t = await getTranslations('devices.state');
  return <span className={`badge state-${state}`}>{t(state)}</span>;
}
