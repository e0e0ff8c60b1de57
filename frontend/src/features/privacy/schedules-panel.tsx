import { getLocale, getTranslations } from 'next-intl/server';
import type { RetentionSchedule } from '@/features/api/types';
import { type ActionOutcome, ActionResult, fieldState, privacyErrorText } from './action-result';
import { privacyNames } from './names';
import { saveSchedule } from './retention-actions';

/**
 * How long each kind of data is kept for this tenant, on which basis, and what happens then. Where
 * a schedule lets the tenant choose, users who may change it get a field within its bounds.
 */
export async function SchedulesPanel({
  schedules,
  mayChange,
  outcome,
  changed,
}: {
  schedules: RetentionSchedule[];
  mayChange: boolean;
  outcome: ActionOutcome;
  /** The schedule the last change was about. */
  changed?: string;
}) {
  const t = await getTranslations('privacy.retention.schedules');
  const tAction = await getTranslations('privacy.retention.actions');
  const locale = await getLocale();
  const names = await privacyNames();
  const shown = outcome.done === 'schedule' || outcome.failed === 'schedule';
  return (
    <section aria-labelledby="schedules-heading" className="card" id="schedules">
      <h2 id="schedules-heading">{t('title')}</h2>
      <p>{t('intro')}</p>
      {shown && outcome.done && (
        <ActionResult
          key="done"
          id="schedule-result"
          success
          title={t('saved', { schedule: changed ?? '' })}
        />
      )}
      {shown && outcome.error && (
        <ActionResult
          key={outcome.error}
          id="schedule-result"
          success={false}
          title={await privacyErrorText(outcome.error)}
        />
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1). */}
      <section className="table-scroll" aria-labelledby="schedules-caption" tabIndex={0}>
        <table>
          <caption id="schedules-caption">{t('caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('schedule')}</th>
              <th scope="col">{t('action')}</th>
              <th scope="col">{t('days')}</th>
              <th scope="col">{t('basis')}</th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => {
              const category = names.category(schedule.category);
              const editable = mayChange && schedule.tenantDays !== null;
              const fieldId = `days-${schedule.id.replace(/\W/g, '-')}`;
              return (
                <tr key={schedule.id}>
                  <th scope="row">
                    <span lang={names.english}>{schedule.description}</span>
                    <br />
                    <code>{schedule.id}</code>{' '}
                    <span className="muted" lang={category.lang}>
                      ({category.text})
                    </span>
                  </th>
                  <td>{tAction(schedule.action)}</td>
                  <td>
                    <p className="no-margin">
                      <strong>{t('daysValue', { count: schedule.days })}</strong>
                      {schedule.days !== schedule.defaultDays && (
                        <span className="muted"> {t('defaultDays', { count: schedule.defaultDays })}</span>
                      )}
                    </p>
                    {schedule.tenantDays ? (
                      <p className="hint">
                        {t('bounds', { min: schedule.tenantDays.min, max: schedule.tenantDays.max })}
                      </p>
                    ) : (
                      <p className="hint">{t('fixed')}</p>
                    )}
                    {editable && schedule.tenantDays && (
                      <form action={saveSchedule} className="inline-form">
                        <input type="hidden" name="locale" value={locale} />
                        <input type="hidden" name="schedule" value={schedule.id} />
                        <label htmlFor={fieldId} className="visually-hidden">
                          {t('daysLabel', { schedule: schedule.id })}
                        </label>
                        <input
                          id={fieldId}
                          name="days"
                          type="number"
                          required
                          min={schedule.tenantDays.min}
                          max={schedule.tenantDays.max}
                          defaultValue={schedule.days}
                          className="days-input"
                          {...(changed === schedule.id
                            ? fieldState(outcome, 'schedule', 'days', 'schedule-result')
                            : {})}
                        />
                        <button type="submit" className="button secondary">
                          {t('save')}
                        </button>
                      </form>
                    )}
                  </td>
                  <td lang={names.english}>{schedule.basis}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </section>
  );
}
