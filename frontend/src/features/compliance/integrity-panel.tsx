import { getFormatter, getLocale, getTranslations } from 'next-intl/server';
import type { TreeHead, Verification } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';
import { verifyTrailNow } from './verify-action';

/** The trail's integrity: the last verification's result and the newest signed tree head. */
export async function IntegrityPanel({
  verification,
  head,
}: {
  verification?: Verification;
  head?: TreeHead;
}) {
  const t = await getTranslations('compliance.integrity');
  const format = await getFormatter();
  const locale = await getLocale();
  return (
    <section aria-labelledby="integrity" className="card">
      <h2 id="integrity">{t('title')}</h2>
      {!verification && <p>{t('neverVerified')}</p>}
      {verification && (
        <p className={`integrity ${verification.ok ? 'ok' : 'bad'}`}>
          <span aria-hidden="true">{verification.ok ? '✓ ' : '✗ '}</span>
          {verification.ok
            ? t('ok', { count: verification.checkedEvents })
            : verification.firstBadSeq !== null
              ? t('badAtEvent', { seq: verification.firstBadSeq })
              : t('badAtHead', { size: verification.badTreeSize ?? verification.treeSize })}
        </p>
      )}
      <dl className="details">
        {verification && (
          <>
            <dt>{t('verifiedAt')}</dt>
            <dd>
              <DateTime value={verification.startedAt} />
            </dd>
            <dt>{t('duration')}</dt>
            <dd>
              {format.number(verification.durationMs / 1000, {
                style: 'unit',
                unit: 'second',
                maximumFractionDigits: 2,
              })}
            </dd>
          </>
        )}
        {head ? (
          <>
            <dt>{t('treeSize')}</dt>
            <dd>{format.number(head.treeSize)}</dd>
            <dt>{t('signedAt')}</dt>
            <dd>
              <DateTime value={head.timestamp} />
            </dd>
            <dt>{t('rootHash')}</dt>
            <dd>
              <code className="hash">{head.rootHash}</code>
            </dd>
            <dt>{t('keyId')}</dt>
            <dd>
              <code>{head.keyId}</code>
            </dd>
            <dt>{t('witnesses')}</dt>
            <dd>{format.number(head.cosignatures.length)}</dd>
          </>
        ) : (
          <>
            <dt>{t('treeSize')}</dt>
            <dd>{t('noHead')}</dd>
          </>
        )}
      </dl>
      <form action={verifyTrailNow}>
        <input type="hidden" name="locale" value={locale} />
        <button type="submit" className="button secondary">
          {t('verifyNow')}
        </button>
      </form>
    </section>
  );
}
