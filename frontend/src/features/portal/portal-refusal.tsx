import { getFormatter, getTranslations } from 'next-intl/server';
import { FocusHere } from '@/features/shell/focus-here';
import { Notice } from '@/features/shell/notice';

/**
 * A refused portal step in words, focused when it appears (the page was rendered anew), naming
 * the fields at fault; its text has the id `<id>-text` for the fields' aria-describedby. Too many
 * attempts says when to try again, as the API's Retry-After tells.
 */
export async function PortalRefusal({
  id,
  error,
  fields = [],
  retrySeconds,
  attemptsLeft,
}: {
  id: string;
  error: string;
  fields?: string[];
  retrySeconds?: number;
  attemptsLeft?: number;
}) {
  const t = await getTranslations('portal.errors');
  const tField = await getTranslations('portal.fieldNames');
  const format = await getFormatter();
  let title: string;
  if (error === 'too_many_attempts') {
    const now = new Date();
    title =
      retrySeconds && retrySeconds > 0
        ? t('too_many_attempts', {
            when: format.relativeTime(new Date(now.getTime() + retrySeconds * 1000), now),
          })
        : t('tooManyLater');
  } else {
    const key = error as Parameters<typeof t>[0];
    title = t.has(key) ? t(key) : t('failed');
  }
  const named = fields.map((field) => {
    const key = field as Parameters<typeof tField>[0];
    return tField.has(key) ? tField(key) : field;
  });
  return (
    <FocusHere id={id}>
      <Notice id={`${id}-text`} tone="error" title={title}>
        {named.length > 0 && <p>{t('fieldsAtFault', { fields: format.list(named) })}</p>}
        {attemptsLeft !== undefined && attemptsLeft >= 0 && (
          <p>{t('attemptsLeft', { count: attemptsLeft })}</p>
        )}
      </Notice>
    </FocusHere>
  );
}
