import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { AuditEvent, Device, DeviceSummary, Page, Tenant } from '@/features/api/types';
import { FleetStatus } from '@/features/home/fleet-status';
import { RecentActivity } from '@/features/home/recent-activity';
import { PageHeading } from '@/features/shell/page-heading';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('home');
  return { title: t('title') };
}

export default async function DashboardPage({ params }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('home');
  const permissions = await myPermissions();
  const readsDevices = mayDo(permissions, 'read', 'Device');
  const readsTrail = mayDo(permissions, 'read', 'AuditEvent');
  const [tenant, summary, events, devices] = await Promise.all([
    permissions?.tenantId ? optional(api<Tenant>(`/v1/tenants/${permissions.tenantId}`)) : undefined,
    readsDevices ? optional(api<DeviceSummary>('/v1/devices/summary')) : undefined,
    readsTrail
      ? api<Page<AuditEvent>>('/v1/audit/events', { query: { order: 'desc', limit: 8 } })
      : undefined,
    readsDevices && !readsTrail
      ? api<Page<Device>>('/v1/devices', { query: { sort: 'updatedAt', order: 'desc', limit: 5 } })
      : undefined,
  ]);
  return (
    <div className="stack">
      <PageHeading title={t('title')}>
        {tenant
          ? t('tenant', { name: tenant.name })
          : permissions?.tenantId
            ? t('tenantUnknown')
            : t('noTenant')}
      </PageHeading>
      <div className="grid-2">
        {summary ? (
          <FleetStatus summary={summary} />
        ) : (
          <section aria-labelledby="fleet-heading" className="card">
            <h2 id="fleet-heading">{t('fleet.title')}</h2>
            <p>{t('fleet.notVisible')}</p>
          </section>
        )}
        <RecentActivity events={events?.items} devices={devices?.items} />
      </div>
    </div>
  );
}
