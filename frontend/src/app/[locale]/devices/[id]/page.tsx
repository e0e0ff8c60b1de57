import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api, apiWithEtag } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { load, optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import {
  type AuditEvent,
  type Device,
  type DeviceCertificate,
  type DeviceCommand,
  type DeviceState,
  type LifecycleAction,
  lifecycleActions,
  type Page,
  type RevocationReason,
  revocationReasons,
  type TelemetrySeries,
} from '@/features/api/types';
import { EventTable } from '@/features/compliance/event-table';
import { CertificatesPanel } from '@/features/devices/certificates-panel';
import { CommandsPanel } from '@/features/devices/commands-panel';
import { ConnectionPanel } from '@/features/devices/connection-panel';
import { LifecycleActions } from '@/features/devices/lifecycle-actions';
import { visibleSites } from '@/features/devices/sites';
import { TelemetryPanel } from '@/features/devices/telemetry-panel';
import { LiveChart } from '@/features/live/live-chart';
import { DateTime } from '@/features/shell/date-time';
import { FocusHere } from '@/features/shell/focus-here';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { StateBadge } from '@/features/shell/state-badge';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

/** The recent telemetry shown: at most this many points of the last 24 hours. */
const TELEMETRY_POINTS = 20;
const TELEMETRY_WINDOW_MS = 24 * 3600 * 1000;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('device');
  return { title: t('title') };
}

export default async function DevicePage({ params, searchParams }: LocalePageProps<{ id: string }>) {
  const { locale, id } = (await params) as { locale: Locale; id: string };
  setRequestLocale(locale);
  if (!isUuid(id)) notFound();
  const t = await getTranslations('device');
  const tActions = await getTranslations('devices.actions');
  const tErrors = await getTranslations('errors.codes');
  const tLive = await getTranslations('device.live');
  const tMetricNames = await getTranslations('device.telemetry.metrics');
  const query = await searchParams;
  const permissions = await myPermissions();
  const loaded = await load(apiWithEtag<Device>(`/v1/devices/${id}`));
  if (!loaded.ok) return <Forbidden />;
  const { body: device, etag } = loaded.value;
  const [actions, sites, history, state, certificates, commands, telemetry] = await Promise.all([
    optional(api<{ actions: LifecycleAction[] }>(`/v1/devices/${id}/actions`)),
    visibleSites(),
    mayDo(permissions, 'read', 'AuditEvent')
      ? optional(
          api<Page<AuditEvent>>('/v1/audit/events', {
            query: { resourceType: 'Device', resourceId: id, order: 'desc', limit: 20 },
          }),
        )
      : undefined,
    optional(api<DeviceState>(`/v1/devices/${id}/state`)),
    optional(api<{ items: DeviceCertificate[] }>(`/v1/devices/${id}/certificates`)),
    optional(api<{ items: DeviceCommand[] }>(`/v1/devices/${id}/commands`)),
    optional(
      api<TelemetrySeries>(`/v1/devices/${id}/telemetry`, {
        query: { from: new Date(Date.now() - TELEMETRY_WINDOW_MS).toISOString(), limit: TELEMETRY_POINTS },
      }),
    ),
  ]);
  const text = (name: string) => (typeof query[name] === 'string' ? query[name] : undefined);
  const done = text('done');
  const error = text('error');
  const mayRevoke = mayDo(permissions, 'revoke', 'Device');
  // A revocation to confirm: only of a valid certificate of this device, for a reason the API takes.
  const revoke = text('revoke');
  const reason = text('reason') as RevocationReason | undefined;
  const confirm =
    mayRevoke &&
    reason &&
    revocationReasons.includes(reason) &&
    certificates?.items.some((c) => c.serialNumber === revoke && c.status === 'active')
      ? { serial: revoke as string, reason }
      : undefined;
  const site = device.siteId ? sites.get(device.siteId) : undefined;
  const errorKey = `${error}` as Parameters<typeof tErrors>[0];
  return (
    <div className="stack">
      <p>
        <Link href="/devices">{t('back')}</Link>
      </p>
      <PageHeading title={t('heading', { serial: device.serialNumber })} />
      {/* Keyed: the next outcome (suspend, then activate) is a new message and takes the focus too. */}
      {done && (lifecycleActions as readonly string[]).includes(done) && (
        <FocusHere key={done}>
          <Notice tone="success" title={tActions(`done.${done as LifecycleAction}`)} />
        </FocusHere>
      )}
      {error && (
        <FocusHere key={error}>
          <Notice tone="error" title={tErrors.has(errorKey) ? tErrors(errorKey) : tErrors('failed')} />
        </FocusHere>
      )}
      <section aria-labelledby="details-heading" className="card">
        <h2 id="details-heading">{t('details')}</h2>
        <dl className="details">
          <dt>{t('serial')}</dt>
          <dd>{device.serialNumber}</dd>
          <dt>{t('model')}</dt>
          <dd>{device.model}</dd>
          <dt>{t('firmware')}</dt>
          <dd>{device.firmwareVersion ?? t('unknown')}</dd>
          <dt>{t('state')}</dt>
          <dd>
            <StateBadge state={device.lifecycleState} />
          </dd>
          <dt>{t('site')}</dt>
          <dd>{site ? `${site.name} (${site.code})` : device.siteId ? t('siteHidden') : t('noSite')}</dd>
          <dt>{t('dataCategory')}</dt>
          <dd>{t(`category.${device.dataCategory}`)}</dd>
          {'patientId' in device && (
            <>
              <dt>{t('patient')}</dt>
              <dd>{device.patientId ? <code>{device.patientId}</code> : t('noPatient')}</dd>
            </>
          )}
          <dt>{t('labels')}</dt>
          <dd>
            {Object.keys(device.labels ?? {}).length === 0
              ? t('noLabels')
              : Object.entries(device.labels).map(([key, value]) => (
                  <code key={key} className="label-chip">
                    {key}={value}
                  </code>
                ))}
          </dd>
          <dt>{t('created')}</dt>
          <dd>
            <DateTime value={device.createdAt} />
          </dd>
          <dt>{t('updated')}</dt>
          <dd>
            <DateTime value={device.updatedAt} />
          </dd>
        </dl>
      </section>
      {actions && etag && (
        <LifecycleActions
          deviceId={device.id}
          etag={etag}
          actions={actions.actions}
          sites={[...sites.values()].filter((site) => site.tenantId === device.tenantId)}
        />
      )}
      <ConnectionPanel state={state} />
      <CommandsPanel
        deviceId={device.id}
        commands={commands?.items}
        mayCommand={mayDo(permissions, 'command', 'Device')}
        active={device.lifecycleState === 'active'}
        result={text('commandResult')}
        sentId={text('command')}
        typed={{ name: text('commandName') ?? '', params: text('commandParams') ?? '' }}
      />
      <TelemetryPanel series={telemetry} />
      {telemetry && (device.lifecycleState === 'active' || device.lifecycleState === 'claimed') && (
        <LiveChart
          deviceId={device.id}
          locale={locale}
          metricNames={Object.fromEntries(
            Object.keys(telemetry.units).flatMap((metric) => {
              const key = metric as Parameters<typeof tMetricNames>[0];
              return tMetricNames.has(key) ? [[metric, tMetricNames(key)]] : [];
            }),
          )}
          text={{
            heading: tLive('heading'),
            pause: tLive('pause'),
            resume: tLive('resume'),
            waiting: tLive('waiting'),
            connected: tLive('connected'),
            reconnecting: tLive('reconnecting'),
            chartLabel: tLive('chartLabel'),
            tableCaption: tLive('tableCaption'),
            metric: tLive('metric'),
            latest: tLive('latest'),
            lowest: tLive('lowest'),
            highest: tLive('highest'),
          }}
        />
      )}
      <CertificatesPanel
        deviceId={device.id}
        certificates={certificates?.items}
        mayRevoke={mayRevoke}
        confirm={confirm}
        result={text('certificateResult')}
      />
      <section aria-labelledby="history-heading" className="card">
        <h2 id="history-heading">{t('history')}</h2>
        {!history && <p>{t('historyHidden')}</p>}
        {history && history.items.length === 0 && <p>{t('historyEmpty')}</p>}
        {history && history.items.length > 0 && (
          <EventTable id="device-history" events={history.items} caption={t('historyCaption')} />
        )}
      </section>
    </div>
  );
}
