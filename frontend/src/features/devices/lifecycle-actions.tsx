import { getLocale, getTranslations } from 'next-intl/server';
import type { LifecycleAction, Site } from '@/features/api/types';
import { runLifecycleAction } from './lifecycle-action';

/** The lifecycle actions the API says this user may take now; nothing else is offered. */
export async function LifecycleActions({
  deviceId,
  etag,
  actions,
  sites,
}: {
  deviceId: string;
  etag: string;
  actions: LifecycleAction[];
  sites: Site[];
}) {
  const t = await getTranslations('devices.actions');
  const locale = await getLocale();
  return (
    <section aria-labelledby="actions-heading" className="card">
      <h2 id="actions-heading">{t('title')}</h2>
      {actions.length === 0 && <p>{t('none')}</p>}
      <div className="action-row">
        {actions.map((action) => (
          <form key={action} action={runLifecycleAction} className="action-form">
            <input type="hidden" name="id" value={deviceId} />
            <input type="hidden" name="action" value={action} />
            <input type="hidden" name="etag" value={etag} />
            <input type="hidden" name="locale" value={locale} />
            {action === 'claim' && (
              <div className="field">
                <label htmlFor="claim-site">{t('claimSite')}</label>
                <select id="claim-site" name="siteId" required>
                  {sites.map((site) => (
                    <option key={site.id} value={site.id}>
                      {site.name} ({site.code})
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="submit" className={`button ${action === 'decommission' ? 'danger' : ''}`}>
              {t(`do.${action}`)}
            </button>
          </form>
        ))}
      </div>
    </section>
  );
}
