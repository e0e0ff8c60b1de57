import { getTranslations } from 'next-intl/server';
import type { RequestHistoryEntry } from '@/features/api/types';
import { type Named, privacyNames } from './names';
import { When } from './when';

/** A request's steps, oldest first, each with its time (in the given zone, UTC by default). */
export async function StepsList({
  history,
  timeZone,
}: {
  history: RequestHistoryEntry[];
  timeZone?: string;
}) {
  const tStatus = await getTranslations('privacy.statuses');
  const tEvent = await getTranslations('privacy.events');
  return (
    <ol className="steps">
      {history.map((entry) => {
        const key = entry.event as Parameters<typeof tEvent>[0];
        return (
          <li key={`${entry.at}|${entry.event}|${entry.status}`}>
            <span className="step-name">{tEvent.has(key) ? tEvent(key) : tStatus(entry.status)}</span>{' '}
            <span className="muted">
              <When value={entry.at} timeZone={timeZone} />
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** What was kept and why: the table (translated where known) and the reason as declared. */
export async function KeptList({
  kept,
  holdLabel,
}: {
  kept: Array<{ table: string; reason: string; holdId?: string }>;
  /** Shown before a hold's id, for the privacy office (the requester is not shown hold ids). */
  holdLabel?: string;
}) {
  const names = await privacyNames();
  const label = (named: Named) => <strong lang={named.lang}>{named.text}</strong>;
  return (
    <ul className="kept-list">
      {kept.map((item) => (
        <li key={`${item.table}|${item.reason}|${item.holdId ?? ''}`}>
          {label(names.table(item.table))}: <span lang={names.english}>{item.reason}</span>
          {holdLabel && item.holdId && (
            <>
              {' '}
              ({holdLabel} <code>{item.holdId}</code>)
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
