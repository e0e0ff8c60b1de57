import { getLocale, getTranslations } from 'next-intl/server';
import { consentActions, consentSources } from '@/features/api/types';
import { type ActionOutcome, ActionResult, fieldState, privacyErrorText } from './action-result';
import { recordConsent } from './consent-action';
import type { Named } from './names';

export type SubjectKind = 'patient' | 'user';

/** Finding a person's consent by their patient record or user account (a GET form). */
export async function ConsentLookup({ kind, id }: { kind: SubjectKind; id: string }) {
  const t = await getTranslations('privacy.consent.lookup');
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet.
    <form method="get" className="filters" role="search" aria-label={t('label')}>
      <div className="field">
        <label htmlFor="consent-kind">{t('kind')}</label>
        <select id="consent-kind" name="kind" defaultValue={kind}>
          <option value="patient">{t('patient')}</option>
          <option value="user">{t('user')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="consent-id">{t('id')}</label>
        <input
          id="consent-id"
          name="id"
          type="text"
          dir="ltr"
          required
          maxLength={36}
          defaultValue={id}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field actions">
        <button type="submit" className="button secondary">
          {t('submit')}
        </button>
      </div>
    </form>
  );
}

/** Recording consent given or withdrawn for one person and purpose. */
export async function ConsentForm({
  kind,
  id,
  purposes,
  outcome,
}: {
  kind: SubjectKind;
  id: string;
  purposes: Array<{ id: string; name: Named }>;
  outcome: ActionOutcome;
}) {
  const t = await getTranslations('privacy.consent.form');
  const tAction = await getTranslations('privacy.consent.actions');
  const tSource = await getTranslations('privacy.consent.sources');
  const locale = await getLocale();
  const mark = (field: string, hint?: string) =>
    fieldState(outcome, 'consent', field, 'consent-result', hint);
  return (
    <section aria-labelledby="consent-form-heading" className="card" id="record">
      <h2 id="consent-form-heading">{t('title')}</h2>
      {outcome.done === 'consent' && (
        <ActionResult key="done" id="consent-result" success title={t('recorded')} />
      )}
      {outcome.failed === 'consent' && outcome.error && (
        <ActionResult
          key={outcome.error}
          id="consent-result"
          success={false}
          title={await privacyErrorText(outcome.error)}
        />
      )}
      <form action={recordConsent} className="panel-form wide">
        <input type="hidden" name="locale" value={locale} />
        <div className="filters">
          <div className="field">
            <label htmlFor="record-kind">{t('kind')}</label>
            <select id="record-kind" name="kind" defaultValue={kind}>
              <option value="patient">{t('patient')}</option>
              <option value="user">{t('user')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="record-id">{t('id')}</label>
            <input
              id="record-id"
              name="subjectId"
              type="text"
              dir="ltr"
              required
              maxLength={36}
              defaultValue={id}
              autoComplete="off"
              spellCheck={false}
              {...mark('subjectId')}
            />
          </div>
          <div className="field">
            <label htmlFor="record-purpose">{t('purpose')}</label>
            <select id="record-purpose" name="purpose" required {...mark('purpose')}>
              {purposes.map((purpose) => (
                <option key={purpose.id} value={purpose.id} lang={purpose.name.lang}>
                  {purpose.name.text}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="record-source">{t('source')}</label>
            <select id="record-source" name="source" defaultValue="officer" {...mark('source')}>
              {consentSources.map((source) => (
                <option key={source} value={source}>
                  {tSource(source)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <fieldset className="choice-group inline">
          <legend>{t('action')}</legend>
          {consentActions.map((action, index) => (
            <div key={action} className="choice">
              <input
                id={`record-action-${action}`}
                type="radio"
                name="action"
                value={action}
                defaultChecked={index === 0}
                {...mark('action')}
              />
              <label htmlFor={`record-action-${action}`}>{tAction(action)}</label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="record-evidence">{t('evidence')}</label>
          <input
            id="record-evidence"
            name="evidence"
            type="text"
            maxLength={500}
            {...mark('evidence', 'record-evidence-hint')}
          />
          <p id="record-evidence-hint" className="hint">
            {t('evidenceHint')}
          </p>
        </div>
        <div>
          <button type="submit" className="button">
            {t('submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
