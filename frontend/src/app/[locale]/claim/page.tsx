import type { Metadata } from 'next';
import { getFormatter, getMessages, getTranslations, setRequestLocale } from 'next-intl/server';
import { env } from '@/env';
import { api } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Device } from '@/features/api/types';
import { claimDevice } from '@/features/claiming/claim-action';
import { ClaimCodeFields } from '@/features/claiming/claim-code-fields';
import { invalidFields } from '@/features/claiming/claim-input';
import { visibleSites } from '@/features/devices/sites';
import { FocusHere } from '@/features/shell/focus-here';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('claim');
  return { title: t('title') };
}

/**
 * Claiming a device into a site: where the QR code on a device's sticker leads
 * (`/claim?serial=…&code=…`, the locale added by the proxy), and where a code can be typed.
 */
export default async function ClaimPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('claim');
  const permissions = await myPermissions();
  if (!mayDo(permissions, 'claim', 'Device')) return <Forbidden />;
  const query = await searchParams;
  const param = (name: string) => {
    const value = query[name];
    return typeof value === 'string' ? value : '';
  };
  const claimedId = param('claimed');
  const [allSites, claimed] = await Promise.all([
    visibleSites(),
    isUuid(claimedId) ? optional(api<Device>(`/v1/devices/${claimedId}`)) : undefined,
  ]);
  // Devices are claimed into a site of the user's own tenant.
  const sites = [...allSites.values()].filter((site) => site.tenantId === permissions?.tenantId);
  const error = param('error') || undefined;
  const invalid = invalidFields(error);
  const scanText = (await getMessages()).claim.scan;
  const chosenSite = sites.some((site) => site.id === param('site')) ? param('site') : sites[0]?.id;
  const claimedSite = claimed?.siteId ? allSites.get(claimed.siteId) : undefined;
  // Each outcome renders its message and the form anew (a new message takes the focus in turn).
  const outcome = JSON.stringify(query);
  return (
    <div className="stack narrow">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {isUuid(claimedId) && (
        <FocusHere key={outcome}>
          <Notice
            tone="success"
            title={
              !claimed
                ? t('claimedUnnamed')
                : claimedSite
                  ? t('claimed', { serial: claimed.serialNumber, site: claimedSite.name })
                  : t('claimedNoSite', { serial: claimed.serialNumber })
            }
          >
            <p>
              <Link href={`/devices/${claimedId}`}>
                {claimed ? t('openDevice', { serial: claimed.serialNumber }) : t('openDeviceUnnamed')}
              </Link>
            </p>
          </Notice>
        </FocusHere>
      )}
      {error && (
        <FocusHere key={outcome}>
          <Notice id="claim-error" tone="error" title={await errorText(error, Number(param('retry')))} />
        </FocusHere>
      )}
      {sites.length === 0 ? (
        <Notice title={t('noSites')} />
      ) : (
        <section aria-labelledby="claim-form-heading" className="card">
          <h2 id="claim-form-heading">{t('formTitle')}</h2>
          {/* A fresh form for each outcome: what was typed before a refusal does not linger. */}
          <form key={outcome} action={claimDevice} className="claim-form">
            <input type="hidden" name="locale" value={locale} />
            <ClaimCodeFields
              origin={env().WEB_PUBLIC_URL}
              serial={param('serial')}
              code={param('code')}
              invalid={invalid}
              errorId={error ? 'claim-error' : undefined}
              nextFieldId="claim-site"
              fields={{
                serial: t('serial'),
                serialHint: t('serialHint'),
                code: t('code'),
                codeHint: t('codeHint'),
              }}
              text={scanText}
            />
            <div className="field">
              <label htmlFor="claim-site">{t('site')}</label>
              <select
                id="claim-site"
                name="siteId"
                required
                defaultValue={chosenSite}
                aria-invalid={invalid.includes('site') || undefined}
                aria-describedby={invalid.includes('site') ? 'claim-error' : undefined}
              >
                {sites.map((site) => (
                  <option key={site.id} value={site.id}>
                    {site.name} ({site.code})
                  </option>
                ))}
              </select>
            </div>
            <div>
              <button type="submit" className="button">
                {t('submit')}
              </button>
            </div>
          </form>
        </section>
      )}
    </div>
  );
}

/** The refusal in words; too many attempts says when to try again, as the API's Retry-After tells. */
async function errorText(error: string, retrySeconds: number): Promise<string> {
  const t = await getTranslations('claim.errors');
  const format = await getFormatter();
  if (error === 'too_many_attempts') {
    if (!(retrySeconds > 0)) return t('tooManyLater');
    const now = new Date();
    const when = format.relativeTime(new Date(now.getTime() + retrySeconds * 1000), now);
    return t('too_many_attempts', { when });
  }
  const key = error as Parameters<typeof t>[0];
  return t.has(key) ? t(key) : t('failed');
}
