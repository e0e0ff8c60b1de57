import { getTranslations } from 'next-intl/server';
import type { AuditEvent, Device } from '@/features/api/types';
import { EventTypeLabel } from '@/features/compliance/event-type-label';
import { DateTime } from '@/features/shell/date-time';
import { StateBadge } from '@/features/shell/state-badge';
import { Link } from '@/i18n/link';

/** Recent audit events for those who may read the trail; otherwise recently changed devices. */
export async function RecentActivity({ events, devices }: { events?: AuditEvent[]; devices?: Device[] }) {
  const t = await getTranslations('home.activity');
  const tOutcome = await getTranslations('audit.outcome');
  return (
    <section aria-labelledby="activity-heading" className="card">
      <h2 id="activity-heading">{t('title')}</h2>
      {events && events.length === 0 && <p>{t('noEvents')}</p>}
      {events && events.length > 0 && (
        <ol className="activity">
          {events.map((event) => (
            <li key={event.seq}>
              <EventTypeLabel type={event.entry.type} /> · {tOutcome(event.entry.outcome)} ·{' '}
              <DateTime value={event.time} />
            </li>
          ))}
        </ol>
      )}
      {!events && devices && devices.length === 0 && <p>{t('noDevices')}</p>}
      {!events && devices && devices.length > 0 && (
        <>
          <p>{t('devicesIntro')}</p>
          <ol className="activity">
            {devices.map((device) => (
              <li key={device.id}>
                <Link href={`/devices/${device.id}`}>{device.serialNumber}</Link> ·{' '}
                <StateBadge state={device.lifecycleState} /> · <DateTime value={device.updatedAt} />
              </li>
            ))}
          </ol>
        </>
      )}
      {!events && !devices && <p>{t('nothingVisible')}</p>}
    </section>
  );
}
