import { getLocale, getTranslations } from 'next-intl/server';
import { holdScopes, type Site, type User } from '@/features/api/types';
import { type ActionOutcome, ActionResult, fieldState, privacyErrorText } from './action-result';
import { placeHold } from './hold-actions';
import { HOLD_LIMITS } from './hold-input';
import type { Named } from './names';

/**
 * Placing a legal hold. The scope's own field shows once the scope is chosen (CSS `:has()`, no
 * script; browsers without it show every field, each labelled with its scope). Categories left
 * empty mean the hold covers all of the scope's data.
 */
export async function HoldForm({
  sites,
  people,
  userId,
  categories,
  outcome,
}: {
  sites: Site[];
  people: Map<string, User>;
  userId?: string;
  categories: Array<{ id: string; name: Named }>;
  outcome: ActionOutcome;
}) {
  const t = await getTranslations('privacy.holds.form');
  const tScope = await getTranslations('privacy.holds.scopes');
  const locale = await getLocale();
  const staff = [...people.values()].filter((person) => person.kind === 'staff');
  const mark = (field: string, hint?: string) => fieldState(outcome, 'hold', field, 'hold-form-result', hint);
  const failed = outcome.failed === 'hold' && outcome.error;
  return (
    <form action={placeHold} className="panel-form wide hold-form" aria-labelledby="hold-form-heading">
      <h3 id="hold-form-heading">{t('title')}</h3>
      {failed && (
        <ActionResult
          key={outcome.error}
          id="hold-form-result"
          success={false}
          title={await privacyErrorText(outcome.error ?? 'failed')}
        />
      )}
      <input type="hidden" name="locale" value={locale} />
      <fieldset className="choice-group">
        <legend>{t('scope')}</legend>
        {holdScopes.map((scope, index) => (
          <div key={scope} className="choice">
            <input
              id={`hold-scope-${scope}`}
              type="radio"
              name="scope"
              value={scope}
              defaultChecked={index === 0}
              aria-describedby={`hold-scope-${scope}-help`}
            />
            <label htmlFor={`hold-scope-${scope}`}>{tScope(scope)}</label>
            <p id={`hold-scope-${scope}-help`} className="hint">
              {t(`scopeHelp.${scope}`)}
            </p>
          </div>
        ))}
      </fieldset>
      <div className="field scope-site">
        <label htmlFor="hold-site">{t('site')}</label>
        <select id="hold-site" name="siteId" {...mark('siteId')}>
          {sites.map((site) => (
            <option key={site.id} value={site.id}>
              {site.name} ({site.code})
            </option>
          ))}
        </select>
      </div>
      <div className="field scope-device">
        <label htmlFor="hold-device">{t('device')}</label>
        <input
          id="hold-device"
          name="deviceId"
          type="text"
          dir="ltr"
          maxLength={36}
          autoComplete="off"
          spellCheck={false}
          {...mark('deviceId', 'hold-device-hint')}
        />
        <p id="hold-device-hint" className="hint">
          {t('deviceHint')}
        </p>
      </div>
      <div className="field scope-subject">
        <label htmlFor="hold-patient">{t('patient')}</label>
        <input
          id="hold-patient"
          name="patientId"
          type="text"
          dir="ltr"
          maxLength={36}
          autoComplete="off"
          spellCheck={false}
          {...mark('patientId', 'hold-subject-hint')}
        />
      </div>
      <div className="field scope-subject">
        <label htmlFor="hold-user">{t('user')}</label>
        <select id="hold-user" name="userId" defaultValue="" {...mark('userId', 'hold-subject-hint')}>
          <option value="">{t('noUser')}</option>
          {[...people.values()].map((person) => (
            <option key={person.id} value={person.id}>
              {person.displayName ?? person.username}
            </option>
          ))}
        </select>
        <p id="hold-subject-hint" className="hint">
          {t('subjectHint')}
        </p>
      </div>
      {categories.length > 0 && (
        <fieldset className="choice-group">
          <legend>{t('categories')}</legend>
          <p className="hint">{t('categoriesHint')}</p>
          <div className="choice-columns">
            {categories.map((category) => (
              <div key={category.id} className="choice">
                <input
                  id={`hold-category-${category.id}`}
                  type="checkbox"
                  name="categories"
                  value={category.id}
                />
                <label htmlFor={`hold-category-${category.id}`} lang={category.name.lang}>
                  {category.name.text}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="hold-reason">{t('reason')}</label>
        <textarea
          id="hold-reason"
          name="reason"
          rows={3}
          required
          maxLength={HOLD_LIMITS.reason}
          {...mark('reason')}
        />
      </div>
      <div className="field">
        <label htmlFor="hold-matter">{t('matter')}</label>
        <input
          id="hold-matter"
          name="matter"
          type="text"
          maxLength={HOLD_LIMITS.matter}
          {...mark('matter')}
        />
      </div>
      <div className="field">
        <label htmlFor="hold-owner">{t('owner')}</label>
        <select id="hold-owner" name="ownerId" required defaultValue={userId} {...mark('ownerId')}>
          {staff.map((person) => (
            <option key={person.id} value={person.id}>
              {person.displayName ?? person.username}
            </option>
          ))}
          {userId && !people.has(userId) && <option value={userId}>{t('me')}</option>}
        </select>
      </div>
      <div>
        <button type="submit" className="button">
          {t('submit')}
        </button>
      </div>
    </form>
  );
}
