import { getTranslations } from 'next-intl/server';
import { type Breach, breachRisks, breachStatuses } from '@/features/api/types';
import { type ActionOutcome, fieldState } from './action-result';
import { BREACH_LIMITS, localValue } from './breach-input';
import type { Named } from './names';

/**
 * The fields of a breach record, for recording one and for changing it (`breach` given). Times are
 * typed in UTC, as the labels say. Fields at fault point at the message naming them.
 */
export async function BreachFields({
  breach,
  categories,
  outcome,
  action,
}: {
  breach?: Breach;
  categories: Array<{ id: string; name: Named }>;
  outcome: ActionOutcome;
  action: 'create' | 'update';
}) {
  const t = await getTranslations('privacy.breaches.form');
  const tRisk = await getTranslations('privacy.breaches.risks');
  const tStatus = await getTranslations('privacy.breaches.statuses');
  const mark = (field: string, hint?: string) => fieldState(outcome, action, field, 'breach-result', hint);
  const chosen = new Set(breach?.categories ?? []);
  // Categories recorded earlier but no longer processed stay choosable, so a change keeps them.
  const all: Array<{ id: string; name: Named }> = [
    ...categories,
    ...[...chosen]
      .filter((id) => !categories.some((c) => c.id === id))
      .map((id) => ({ id, name: { text: id } })),
  ];
  const time = (name: keyof Breach, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`breach-${name}`}>{label}</label>
      <input
        id={`breach-${name}`}
        name={name}
        type="datetime-local"
        defaultValue={localValue(breach?.[name] as string | null | undefined)}
        {...mark(name, hint)}
      />
    </div>
  );
  return (
    <>
      <div className="field">
        <label htmlFor="breach-title">{t('titleField')}</label>
        <input
          id="breach-title"
          name="title"
          type="text"
          required
          maxLength={BREACH_LIMITS.title}
          defaultValue={breach?.title}
          {...mark('title')}
        />
      </div>
      <div className="field">
        <label htmlFor="breach-description">{t('description')}</label>
        <textarea
          id="breach-description"
          name="description"
          rows={4}
          required
          maxLength={BREACH_LIMITS.description}
          defaultValue={breach?.description}
          {...mark('description', 'breach-description-hint')}
        />
        <p id="breach-description-hint" className="hint">
          {t('descriptionHint')}
        </p>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="breach-risk">{t('risk')}</label>
          <select id="breach-risk" name="risk" defaultValue={breach?.risk ?? 'unassessed'} {...mark('risk')}>
            {breachRisks.map((risk) => (
              <option key={risk} value={risk}>
                {tRisk(risk)}
              </option>
            ))}
          </select>
        </div>
        {breach && (
          <div className="field">
            <label htmlFor="breach-status">{t('status')}</label>
            <select id="breach-status" name="status" defaultValue={breach.status} {...mark('status')}>
              {breachStatuses.map((status) => (
                <option key={status} value={status}>
                  {tStatus(status)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="breach-subjects">{t('subjectsAffected')}</label>
          <input
            id="breach-subjects"
            name="subjectsAffected"
            type="number"
            min={0}
            step={1}
            defaultValue={breach?.subjectsAffected ?? undefined}
            {...mark('subjectsAffected')}
          />
        </div>
        <div className="field">
          <label htmlFor="breach-records">{t('recordsAffected')}</label>
          <input
            id="breach-records"
            name="recordsAffected"
            type="number"
            min={0}
            step={1}
            defaultValue={breach?.recordsAffected ?? undefined}
            {...mark('recordsAffected')}
          />
        </div>
        {time('occurredAt', t('occurredAt'))}
        {time('detectedAt', t('detectedAt'), 'breach-detected-hint')}
        {breach && time('authorityNotifiedAt', t('authorityNotifiedAt'))}
        {breach && time('subjectsNotifiedAt', t('subjectsNotifiedAt'))}
        <p id="breach-detected-hint" className="hint full">
          {t('timesHint')}
        </p>
      </div>
      {all.length > 0 && (
        <fieldset className="choice-group">
          <legend>{t('categories')}</legend>
          <div className="choice-columns">
            {all.map((category) => (
              <div key={category.id} className="choice">
                <input
                  id={`breach-category-${category.id}`}
                  type="checkbox"
                  name="categories"
                  value={category.id}
                  defaultChecked={chosen.has(category.id)}
                />
                <label htmlFor={`breach-category-${category.id}`} lang={category.name.lang}>
                  {category.name.text}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="breach-consequences">{t('likelyConsequences')}</label>
        <textarea
          id="breach-consequences"
          name="likelyConsequences"
          rows={3}
          maxLength={BREACH_LIMITS.text}
          defaultValue={breach?.likelyConsequences ?? ''}
          {...mark('likelyConsequences')}
        />
      </div>
      <div className="field">
        <label htmlFor="breach-measures">{t('measures')}</label>
        <textarea
          id="breach-measures"
          name="measures"
          rows={3}
          maxLength={BREACH_LIMITS.text}
          defaultValue={breach?.measures ?? ''}
          {...mark('measures')}
        />
      </div>
      {breach && (
        <div className="field">
          <label htmlFor="breach-late">{t('lateNotificationReason')}</label>
          <textarea
            id="breach-late"
            name="lateNotificationReason"
            rows={3}
            maxLength={BREACH_LIMITS.text}
            defaultValue={breach.lateNotificationReason ?? ''}
            {...mark('lateNotificationReason', 'breach-late-hint')}
          />
          <p id="breach-late-hint" className="hint">
            {t('lateHint')}
          </p>
        </div>
      )}
    </>
  );
}
