import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { apiWithEtag } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Breach } from '@/features/api/types';
import { ActionResult, actionOutcome, privacyErrorText } from '@/features/privacy/action-result';
import { updateBreach } from '@/features/privacy/breach-actions';
import { BreachClock } from '@/features/privacy/breach-clock';
import { BreachFields } from '@/features/privacy/breach-fields';
import { personalCategories } from '@/features/privacy/categories';
import { isolate } from '@/features/privacy/isolate';
import { When } from '@/features/privacy/when';
import { Forbidden } from '@/features/shell/forbidden';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.breaches');
  return { title: t('detailTitle') };
}

/** One breach: its notification clock and its record, changed with If-Match by those who may. */
export default async function BreachPage({ params, searchParams }: LocalePageProps<{ id: string }>) {
  const { locale, id } = (await params) as { locale: Locale; id: string };
  setRequestLocale(locale);
  if (!isUuid(id)) notFound();
  const t = await getTranslations('privacy.breaches');
  const tDone = await getTranslations('privacy.breaches.done');
  const permissions = await myPermissions();
  if (!mayDo(permissions, 'read', 'Breach')) return <Forbidden />;
  const loaded = await load(apiWithEtag<Breach>(`/v1/privacy/breaches/${id}`));
  if (!loaded.ok) return <Forbidden />;
  const { body: breach, etag } = loaded.value;
  const outcome = actionOutcome(await searchParams);
  const mayUpdate = mayDo(permissions, 'update', 'Breach') && etag;
  const doneKey = `${outcome.done}` as Parameters<typeof tDone>[0];
  return (
    <div className="stack">
      <p>
        <Link href="/privacy/breaches">{t('back')}</Link>
      </p>
      <PageHeading title={t('heading', { reference: isolate(breach.reference, locale) })}>
        <span dir="auto">{breach.title}</span>
      </PageHeading>
      {outcome.done && tDone.has(doneKey) && (
        <ActionResult key={outcome.done} id="breach-result" success title={tDone(doneKey)} />
      )}
      {outcome.error && (
        <ActionResult
          key={outcome.error}
          id="breach-result"
          success={false}
          title={await privacyErrorText(outcome.error)}
        />
      )}
      <section aria-labelledby="clock-heading" className="card">
        <h2 id="clock-heading">{t('clockTitle')}</h2>
        <p>
          <BreachClock breach={breach} />
        </p>
        {breach.subjectsNotifiedAt ? (
          <p>
            {t('subjectsNotified')} <When value={breach.subjectsNotifiedAt} />
          </p>
        ) : (
          breach.subjectsNotificationDueAt && (
            <p>
              {t('subjectsDue')} <When value={breach.subjectsNotificationDueAt} />{' '}
              {breach.subjectsNotificationOverdue && (
                <span className="badge overdue">{t('subjectsOverdue')}</span>
              )}
            </p>
          )
        )}
        <p className="hint">
          {t('detected')} <When value={breach.detectedAt} />. {t('clockHint')}
        </p>
      </section>
      <section aria-labelledby="record-heading" className="card">
        <h2 id="record-heading">{mayUpdate ? t('editTitle') : t('recordTitle')}</h2>
        {mayUpdate ? (
          <form action={updateBreach} className="panel-form wide">
            <input type="hidden" name="locale" value={locale} />
            <input type="hidden" name="id" value={breach.id} />
            <input type="hidden" name="etag" value={etag ?? ''} />
            <BreachFields
              breach={breach}
              categories={await personalCategories()}
              outcome={outcome}
              action="update"
            />
            <div>
              <button type="submit" className="button">
                {t('save')}
              </button>
            </div>
          </form>
        ) : (
          <div className="free-text" dir="auto">
            {breach.description}
          </div>
        )}
      </section>
    </div>
  );
}
