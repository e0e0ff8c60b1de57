import { getTranslations } from 'next-intl/server';
import type { AuditEvent } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';
import { EventTypeLabel } from './event-type-label';

/** Audit events as a table: sequence number, time, what happened, its outcome, who and on what. */
export async function EventTable({
  id,
  events,
  caption,
}: {
  id: string;
  events: AuditEvent[];
  caption: string;
}) {
  const t = await getTranslations('audit.table');
  const tOutcome = await getTranslations('audit.outcome');
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section className="table-scroll" aria-labelledby={id} tabIndex={0}>
      <table>
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('seq')}</th>
            <th scope="col">{t('time')}</th>
            <th scope="col">{t('type')}</th>
            <th scope="col">{t('outcome')}</th>
            <th scope="col">{t('actor')}</th>
            <th scope="col">{t('resource')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.seq}>
              <th scope="row">{event.seq}</th>
              <td>
                <DateTime value={event.time} />
              </td>
              <td>
                <EventTypeLabel type={event.entry.type} />
              </td>
              <td>
                <span className={`badge outcome-${event.entry.outcome}`}>
                  {tOutcome(event.entry.outcome)}
                </span>
              </td>
              <td>
                <code>{event.entry.actor.id}</code>
                {event.entry.actor.roles.length > 0 && (
                  <span className="muted"> ({event.entry.actor.roles.join(', ')})</span>
                )}
              </td>
              <td>
                {event.entry.resource ? (
                  <>
                    {event.entry.resource.type} <code>{event.entry.resource.id ?? '—'}</code>
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
