import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { LegalHold, Page, RetentionRun, RetentionSchedule } from '@/features/api/types';
import { visibleSites } from '@/features/devices/sites';
import { actionOutcome } from '@/features/privacy/action-result';
import { personalCategories } from '@/features/privacy/categories';
import { HoldForm } from '@/features/privacy/hold-form';
import { HoldsPanel } from '@/features/privacy/holds-panel';
import { tenantPeople } from '@/features/privacy/people';
import { RunsPanel } from '@/features/privacy/runs-panel';
import { SchedulesPanel } from '@/features/privacy/schedules-panel';
import { Forbidden } from '@/features/shell/forbidden';
import { PageHeading } from '@/features/shell/page-heading';
import { firstValue } from '@/features/shell/query-string';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.retention');
  return { title: t('title') };
}

/** Retention schedules, legal holds and retention runs of the viewer's tenant. */
export default async function RetentionPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('privacy.retention');
  const permissions = await myPermissions();
  const readsSchedules = mayDo(permissions, 'read', 'RetentionSchedule');
  const readsHolds = mayDo(permissions, 'read', 'LegalHold');
  if (!readsSchedules && !readsHolds) return <Forbidden />;
  const query = await searchParams;
  const outcome = actionOutcome(query);
  const active = firstValue(query.active) !== 'false';
  const releaseId = firstValue(query.release);
  const [schedules, holds, runs, people, sites, categories] = await Promise.all([
    readsSchedules
      ? optional(api<{ items: RetentionSchedule[] }>('/v1/privacy/retention/schedules'))
      : undefined,
    readsHolds
      ? optional(
          api<Page<LegalHold>>('/v1/privacy/legal-holds', { query: { active: String(active), limit: 50 } }),
        )
      : undefined,
    readsSchedules
      ? optional(api<Page<RetentionRun>>('/v1/privacy/retention/runs', { query: { limit: 20 } }))
      : undefined,
    tenantPeople(),
    visibleSites(),
    mayDo(permissions, 'create', 'LegalHold') ? personalCategories() : [],
  ]);
  // The hold to release, read on its own: it may not be on the listed page.
  const releasing = isUuid(releaseId)
    ? await optional(api<LegalHold>(`/v1/privacy/legal-holds/${releaseId}`))
    : undefined;
  const ownSites = [...sites.values()].filter((site) => site.tenantId === permissions?.tenantId);
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {readsSchedules && (
        <SchedulesPanel
          schedules={schedules?.items ?? []}
          mayChange={mayDo(permissions, 'update', 'RetentionSchedule')}
          outcome={outcome}
          changed={firstValue(query.schedule) || undefined}
        />
      )}
      {readsHolds && (
        <HoldsPanel
          holds={holds?.items}
          active={active}
          people={people}
          sites={sites}
          mayRelease={mayDo(permissions, 'update', 'LegalHold')}
          releasing={releasing}
          outcome={outcome}
        >
          {mayDo(permissions, 'create', 'LegalHold') && (
            <HoldForm
              sites={ownSites}
              people={people}
              userId={permissions?.userId}
              categories={categories}
              outcome={outcome}
            />
          )}
        </HoldsPanel>
      )}
      {readsSchedules && (
        <RunsPanel
          runs={runs?.items}
          mayRun={mayDo(permissions, 'run', 'RetentionSchedule')}
          confirming={firstValue(query.confirmRun) === '1'}
          outcome={outcome}
        />
      )}
    </div>
  );
}
