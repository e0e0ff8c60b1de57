import type { Metadata } from 'next';
import { getFormatter, getTranslations, setRequestLocale } from 'next-intl/server';
import { GrantList } from '@/features/account/grant-list';
import { api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import { myPermissions } from '@/features/api/me';
import type { Tenant, User } from '@/features/api/types';
import { visibleSites } from '@/features/devices/sites';
import { PageHeading } from '@/features/shell/page-heading';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('account');
  return { title: t('title') };
}

export default async function AccountPage({ params }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('account');
  const tRole = await getTranslations('account.roles');
  const tAction = await getTranslations('account.actions');
  const tResource = await getTranslations('audit.resource');
  const format = await getFormatter();
  const permissions = await myPermissions();
  if (!permissions) return null;
  const [me, sites, tenant] = await Promise.all([
    optional(api<User>('/v1/users/me')),
    visibleSites(),
    permissions.tenantId ? optional(api<Tenant>(`/v1/tenants/${permissions.tenantId}`)) : undefined,
  ]);
  const roleName = (role: string) => (tRole.has(role as never) ? tRole(role as never) : role);
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      <section aria-labelledby="who-heading" className="card">
        <h2 id="who-heading">{t('who')}</h2>
        <dl className="details">
          <dt>{t('username')}</dt>
          <dd>{permissions.username}</dd>
          {me?.displayName && (
            <>
              <dt>{t('displayName')}</dt>
              <dd>{me.displayName}</dd>
            </>
          )}
          <dt>{t('rolesLabel')}</dt>
          <dd>{format.list(permissions.roles.map(roleName))}</dd>
          <dt>{t('tenant')}</dt>
          <dd>
            {tenant ? `${tenant.name} ` : ''}
            {permissions.tenantId ? <code>{permissions.tenantId}</code> : t('noTenant')}
          </dd>
          <dt>{t('sites')}</dt>
          <dd>
            {permissions.siteIds.length === 0
              ? t('noSites')
              : format.list(permissions.siteIds.map((id) => sites.get(id)?.name ?? id))}
          </dd>
          {me?.attributes && Object.keys(me.attributes).length > 0 && (
            <>
              <dt>{t('attributes')}</dt>
              <dd>
                {Object.entries(me.attributes).map(([key, value]) => (
                  <code key={key} className="label-chip">
                    {key}={value}
                  </code>
                ))}
              </dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="can-heading" className="card">
        <h2 id="can-heading">{t('canTitle')}</h2>
        <dl className="details">
          {Object.entries(permissions.allowed).map(([resource, actions]) => (
            <div key={resource} className="details-row">
              <dt>{tResource(resource as never)}</dt>
              <dd>
                {actions.length === 0
                  ? t('nothing')
                  : format.list(actions.map((a) => (tAction.has(a as never) ? tAction(a as never) : a)))}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="grants-heading" className="card">
        <h2 id="grants-heading">{t('grantsTitle')}</h2>
        <p>{t('grantsIntro')}</p>
        <GrantList grants={permissions.grants} />
      </section>
    </div>
  );
}
