import { getLocale, getTranslations } from 'next-intl/server';
import { type DeviceCertificate, type RevocationReason, revocationReasons } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';
import { FocusHere } from '@/features/shell/focus-here';
import { Link } from '@/i18n/link';
import { ResultNotice } from './result-notice';
import { revokeCertificate } from './revoke-action';

/**
 * The certificates issued to the device. Users who may revoke get, for each valid certificate, a
 * reason to pick and a confirmation step: the first form is a GET to this page (it changes
 * nothing), the second posts the revocation. Both work without JavaScript.
 */
export async function CertificatesPanel({
  deviceId,
  certificates,
  mayRevoke,
  confirm,
  result,
}: {
  deviceId: string;
  certificates: DeviceCertificate[] | undefined;
  mayRevoke: boolean;
  /** The revocation waiting for confirmation, from the query (already checked against the list). */
  confirm?: { serial: string; reason: RevocationReason };
  result?: string;
}) {
  const t = await getTranslations('device.certificates');
  const locale = await getLocale();
  const resultKey = `result.${result}` as Parameters<typeof t>[0];
  const revocable = mayRevoke ? (certificates ?? []).filter((c) => c.status === 'active') : [];
  return (
    <section id="certificates" aria-labelledby="certificates-heading" className="card">
      <h2 id="certificates-heading">{t('title')}</h2>
      {result && (
        <ResultNotice
          key={result}
          id="certificate-result"
          success={result === 'revoked'}
          title={t.has(resultKey) ? t(resultKey) : t('result.failed')}
        />
      )}
      {!certificates && <p>{t('hidden')}</p>}
      {certificates?.length === 0 && <p>{t('none')}</p>}
      {certificates && certificates.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="certificates-caption" tabIndex={0}>
          <table>
            <caption id="certificates-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('serial')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('expires')}</th>
                <th scope="col">{t('revoked')}</th>
              </tr>
            </thead>
            <tbody>
              {certificates.map((certificate) => (
                <tr key={certificate.serialNumber}>
                  <th scope="row">
                    <code>{certificate.serialNumber}</code>
                  </th>
                  <td>
                    <span className={`badge certificate-${certificate.status}`}>
                      {t(`statuses.${certificate.status}`)}
                    </span>
                  </td>
                  <td>
                    <DateTime value={certificate.notAfter} />
                  </td>
                  <td>
                    {certificate.revokedAt ? (
                      <>
                        <DateTime value={certificate.revokedAt} />
                        {certificate.revocationReason && (
                          <span className="muted"> ({t(`reasons.${certificate.revocationReason}`)})</span>
                        )}
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
      )}
      {confirm && (
        <FocusHere key={`${confirm.serial}|${confirm.reason}`} id="revoke-confirm">
          <form action={revokeCertificate} className="confirm">
            <fieldset>
              <legend>{t('confirmTitle', { serial: confirm.serial })}</legend>
              <p>{t('confirmBody', { reason: t(`reasons.${confirm.reason}`) })}</p>
              <input type="hidden" name="id" value={deviceId} />
              <input type="hidden" name="serial" value={confirm.serial} />
              <input type="hidden" name="reason" value={confirm.reason} />
              <input type="hidden" name="locale" value={locale} />
              <div className="action-form">
                <button type="submit" className="button danger">
                  {t('confirm')}
                </button>
                <Link href={`/devices/${deviceId}#certificates`} className="button secondary">
                  {t('cancel')}
                </Link>
              </div>
            </fieldset>
          </form>
        </FocusHere>
      )}
      {!confirm &&
        revocable.map((certificate) => (
          <form
            key={certificate.serialNumber}
            method="get"
            action={`/${locale}/devices/${deviceId}#revoke-confirm`}
            className="revoke-form"
          >
            <fieldset>
              <legend>{t('revokeLegend', { serial: certificate.serialNumber })}</legend>
              <input type="hidden" name="revoke" value={certificate.serialNumber} />
              <div className="action-form">
                <div className="field">
                  <label htmlFor={`revoke-reason-${certificate.serialNumber}`}>{t('reason')}</label>
                  <select
                    id={`revoke-reason-${certificate.serialNumber}`}
                    name="reason"
                    required
                    defaultValue=""
                  >
                    <option value="" disabled>
                      {t('chooseReason')}
                    </option>
                    {revocationReasons.map((reason) => (
                      <option key={reason} value={reason}>
                        {t(`reasons.${reason}`)}
                      </option>
                    ))}
                  </select>
                </div>
                <button type="submit" className="button secondary">
                  {t('revoke')}
                </button>
              </div>
            </fieldset>
          </form>
        ))}
    </section>
  );
}
