import { getLocale, getTranslations } from 'next-intl/server';
import type { PortalInfo, RequestType } from '@/features/api/types';
import { privacyNames } from '@/features/privacy/names';
import { Link } from '@/i18n/link';
import type { Draft } from './draft';
import { fileRequest } from './file-request-action';
import { type FilingField, LIMITS } from './filing-input';
import { TimeZoneField } from './time-zone-field';

/**
 * The second step: the chosen right's form. Rectification asks what to correct, objection which
 * processing; every other right needs only a way to reach the requester. Fields at fault are
 * marked and point at the message naming them (aria-describedby).
 */
export async function FilingForm({
  info,
  type,
  signedIn,
  invalid,
  errorId,
  draft,
}: {
  info: PortalInfo;
  type: RequestType;
  /** A signed-in data subject: their account is the contact, no e-mail or code. */
  signedIn: boolean;
  invalid: FilingField[];
  errorId?: string;
  draft?: Draft;
}) {
  const t = await getTranslations('portal.form');
  const tType = await getTranslations('privacy.types');
  const names = await privacyNames();
  const locale = await getLocale();
  const slug = info.tenant.slug;
  const mark = (field: FilingField, hint?: string) => {
    const bad = invalid.includes(field);
    const describedBy = [hint, bad ? errorId : undefined].filter(Boolean).join(' ');
    return { 'aria-invalid': bad || undefined, 'aria-describedby': describedBy || undefined };
  };
  const chosenPurposes = new Set(draft?.objectionPurposes ?? []);
  // Only the laws that grant this right (HIPAA, for one, knows no erasure).
  const jurisdictions = info.jurisdictions.filter((jurisdiction) => jurisdiction.requestTypes.includes(type));
  const defaultJurisdiction = jurisdictions.some((j) => j.id === info.defaultJurisdiction)
    ? info.defaultJurisdiction
    : jurisdictions[0]?.id;
  return (
    <section aria-labelledby="filing-heading" className="card">
      <h2 id="filing-heading">{t('detailsStep', { type: tType(type) })}</h2>
      <p>
        <Link href={{ pathname: `/portal/${slug}`, query: { step: 'type', type } }}>{t('changeType')}</Link>
      </p>
      <form action={fileRequest} className="portal-form">
        <input type="hidden" name="locale" value={locale} />
        <input type="hidden" name="slug" value={slug} />
        <input type="hidden" name="type" value={type} />
        <input type="hidden" name="mode" value={signedIn ? 'signed-in' : 'public'} />
        <TimeZoneField />
        {!signedIn && (
          <div className="field">
            <label htmlFor="filing-email">{t('email')}</label>
            <input
              id="filing-email"
              name="email"
              type="email"
              required
              maxLength={LIMITS.email}
              autoComplete="email"
              dir="ltr"
              defaultValue={draft?.email}
              {...mark('email', 'filing-email-hint')}
            />
            <p id="filing-email-hint" className="hint">
              {t('emailHint')}
            </p>
          </div>
        )}
        <div className="field">
          <label htmlFor="filing-jurisdiction">{t('jurisdiction')}</label>
          <select
            id="filing-jurisdiction"
            name="jurisdiction"
            defaultValue={draft?.jurisdiction || defaultJurisdiction}
            {...mark('jurisdiction', 'filing-jurisdiction-hint')}
          >
            {jurisdictions.map((jurisdiction) => {
              const name = names.jurisdiction(jurisdiction.id, jurisdiction.name);
              return (
                <option key={jurisdiction.id} value={jurisdiction.id} lang={name.lang}>
                  {name.text}
                </option>
              );
            })}
          </select>
          <p id="filing-jurisdiction-hint" className="hint">
            {t('jurisdictionHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="filing-reference">{t('subjectReference')}</label>
          <input
            id="filing-reference"
            name="subjectReference"
            type="text"
            maxLength={LIMITS.subjectReference}
            autoComplete="off"
            defaultValue={draft?.subjectReference}
            {...mark('subjectReference', 'filing-reference-hint')}
          />
          <p id="filing-reference-hint" className="hint">
            {t('subjectReferenceHint')}
          </p>
        </div>
        {type === 'rectification' && (
          <fieldset className="choice-group">
            <legend>{t('rectificationLegend')}</legend>
            <p id="rectification-hint" className="hint">
              {t('rectificationHint')}
            </p>
            <div className="field">
              <label htmlFor="filing-rect-name">{t('rectificationName')}</label>
              <input
                id="filing-rect-name"
                name="rectificationName"
                type="text"
                maxLength={LIMITS.name}
                autoComplete="name"
                defaultValue={draft?.rectificationName}
                {...mark('rectificationName', 'rectification-hint')}
              />
            </div>
            <div className="field">
              <label htmlFor="filing-rect-email">{t('rectificationEmail')}</label>
              <input
                id="filing-rect-email"
                name="rectificationEmail"
                type="email"
                maxLength={LIMITS.email}
                autoComplete="email"
                dir="ltr"
                defaultValue={draft?.rectificationEmail}
                {...mark('rectificationEmail', 'rectification-hint')}
              />
            </div>
          </fieldset>
        )}
        {type === 'objection' && (
          <fieldset className="choice-group">
            <legend>{t('objectionLegend')}</legend>
            <p id="objection-hint" className="hint">
              {t('objectionHint')}
            </p>
            {info.objectionPurposes.map((purpose) => {
              const name = names.purpose(purpose.id, purpose.name);
              return (
                <div key={purpose.id} className="choice">
                  <input
                    id={`purpose-${purpose.id}`}
                    type="checkbox"
                    name="objectionPurposes"
                    value={purpose.id}
                    defaultChecked={chosenPurposes.has(purpose.id)}
                    {...mark('objectionPurposes', 'objection-hint')}
                  />
                  <label htmlFor={`purpose-${purpose.id}`} lang={name.lang}>
                    {name.text}
                  </label>
                </div>
              );
            })}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="filing-details">{t('details')}</label>
          <textarea
            id="filing-details"
            name="details"
            rows={5}
            maxLength={LIMITS.details}
            defaultValue={draft?.details}
            {...mark('details', 'filing-details-hint')}
          />
          <p id="filing-details-hint" className="hint">
            {draft?.detailsDropped ? t('detailsDropped') : t('detailsHint')}
          </p>
        </div>
        <p className="hint">{signedIn ? t('signedInPrivacy') : t('privacyNote')}</p>
        <div>
          <button type="submit" className="button">
            {t('submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
