import { getLocale, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import type { LegalHold, Site, User } from '@/features/api/types';
import { FocusHere } from '@/features/shell/focus-here';
import { Link } from '@/i18n/link';
import { type ActionOutcome, ActionResult, fieldState, privacyErrorText } from './action-result';
import { releaseHold } from './hold-actions';
import { HOLD_LIMITS } from './hold-input';
import { privacyNames } from './names';
import { personName } from './people';
import { When } from './when';

/**
 * Legal holds: data they cover is exempt from retention and erasure while a matter is open. Active
 * or released ones (a GET filter); releasing asks for a reason in a confirmation step first.
 */
export async function HoldsPanel({
  holds,
  active,
  people,
  sites,
  mayRelease,
  releasing,
  outcome,
  children,
}: {
  holds: LegalHold[] | undefined;
  active: boolean;
  people: Map<string, User>;
  sites: Map<string, Site>;
  mayRelease: boolean;
  /** The hold whose release waits for confirmation. */
  releasing?: LegalHold;
  outcome: ActionOutcome;
  /** The form to place a hold, for users who may. */
  children?: ReactNode;
}) {
  const t = await getTranslations('privacy.holds');
  const tScope = await getTranslations('privacy.holds.scopes');
  const locale = await getLocale();
  const names = await privacyNames();
  const shown = ['hold', 'release'].includes(outcome.done ?? outcome.failed ?? '');
  const target = (hold: LegalHold) => {
    if (hold.scope === 'site' && hold.siteId) return sites.get(hold.siteId)?.name ?? hold.siteId;
    if (hold.scope === 'device') return hold.deviceId;
    if (hold.scope === 'subject') return hold.patientId ?? personName(people, hold.userId) ?? hold.userId;
    return undefined;
  };
  return (
    <section aria-labelledby="holds-heading" className="card" id="holds">
      <h2 id="holds-heading">{t('title')}</h2>
      <p>{t('intro')}</p>
      {shown && outcome.done && (
        <ActionResult
          key={outcome.done}
          id="hold-result"
          success
          title={t(outcome.done === 'hold' ? 'holdPlaced' : 'holdReleased')}
        />
      )}
      {shown && outcome.error && outcome.failed !== 'hold' && (
        <ActionResult
          key={outcome.error}
          id="hold-result"
          success={false}
          title={await privacyErrorText(outcome.error)}
        />
      )}
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet. */}
      <form
        method="get"
        action={`/${locale}/privacy/retention#holds`}
        className="filters"
        role="search"
        aria-label={t('filter')}
      >
        <div className="field">
          <label htmlFor="holds-active">{t('show')}</label>
          <select id="holds-active" name="active" defaultValue={active ? 'true' : 'false'}>
            <option value="true">{t('showActive')}</option>
            <option value="false">{t('showReleased')}</option>
          </select>
        </div>
        <div className="field actions">
          <button type="submit" className="button secondary">
            {t('apply')}
          </button>
        </div>
      </form>
      {!holds && <p>{t('hidden')}</p>}
      {holds?.length === 0 && <p>{active ? t('noneActive') : t('noneReleased')}</p>}
      {holds && holds.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="holds-caption" tabIndex={0}>
          <table>
            <caption id="holds-caption">{active ? t('captionActive') : t('captionReleased')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('scope')}</th>
                <th scope="col">{t('reason')}</th>
                <th scope="col">{t('categories')}</th>
                <th scope="col">{t('owner')}</th>
                <th scope="col">{active ? t('placed') : t('releasedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {holds.map((hold) => {
                const what = target(hold);
                return (
                  <tr key={hold.id}>
                    <th scope="row">
                      {tScope(hold.scope)}
                      {what && (
                        <>
                          {': '}
                          <code>{what}</code>
                        </>
                      )}
                    </th>
                    <td dir="auto">
                      {hold.reason}
                      {hold.matter && <span className="muted"> ({hold.matter})</span>}
                    </td>
                    <td>
                      {hold.categories.length === 0
                        ? t('allCategories')
                        : hold.categories.map((id) => {
                            const name = names.category(id);
                            return (
                              <span key={id} className="label-chip" lang={name.lang}>
                                {name.text}
                              </span>
                            );
                          })}
                    </td>
                    <td>{personName(people, hold.ownerId) ?? <code>{hold.ownerId}</code>}</td>
                    <td>
                      <When value={hold.releasedAt ?? hold.createdAt} date />
                      {hold.releaseReason && (
                        <p className="hint" dir="auto">
                          {hold.releaseReason}
                        </p>
                      )}
                      {mayRelease && !hold.releasedAt && (
                        <p>
                          <Link
                            href={{ pathname: '/privacy/retention', query: { release: hold.id } }}
                            className="text-action"
                          >
                            {t('release')}
                          </Link>
                        </p>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      {releasing && !releasing.releasedAt && mayRelease && (
        <FocusHere key={`${releasing.id}-${outcome.error}`} id="release-confirm">
          <form action={releaseHold} className="confirm">
            <fieldset>
              <legend>{t('confirmTitle', { scope: tScope(releasing.scope) })}</legend>
              {outcome.failed === 'release' && outcome.error && (
                <p id="release-confirm-text" className="error-text">
                  {await privacyErrorText(outcome.error)}
                </p>
              )}
              <p>{t('confirmBody')}</p>
              <input type="hidden" name="id" value={releasing.id} />
              <input type="hidden" name="version" value={releasing.version} />
              <input type="hidden" name="locale" value={locale} />
              <div className="field">
                <label htmlFor="release-reason">{t('releaseReason')}</label>
                <textarea
                  id="release-reason"
                  name="reason"
                  rows={3}
                  required
                  maxLength={HOLD_LIMITS.reason}
                  {...fieldState(outcome, 'release', 'reason', 'release-confirm')}
                />
              </div>
              <div className="action-form">
                <button type="submit" className="button danger">
                  {t('confirmRelease')}
                </button>
                <Link href="/privacy/retention#holds" className="button secondary">
                  {t('cancel')}
                </Link>
              </div>
            </fieldset>
          </form>
        </FocusHere>
      )}
      {children}
    </section>
  );
}
