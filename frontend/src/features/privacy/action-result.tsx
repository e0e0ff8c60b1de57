import { getTranslations } from 'next-intl/server';
import { FocusHere } from '@/features/shell/focus-here';
import { Notice } from '@/features/shell/notice';

/**
 * The outcome of a panel's server action, inside the panel and focused (the page was rendered
 * anew and the pressed button may be gone). Its text has the id `<id>-text`, for the
 * aria-describedby of fields at fault. Keyed by the caller so that each outcome is announced.
 */
export function ActionResult({ id, success, title }: { id: string; success: boolean; title: string }) {
  return (
    <FocusHere id={id}>
      <Notice id={`${id}-text`} tone={success ? 'success' : 'error'} title={title} />
    </FocusHere>
  );
}

/** A refusal's code (the API's, or the web app's own checks) in words; unknown codes read as failed. */
export async function privacyErrorText(code: string): Promise<string> {
  const t = await getTranslations('privacy.errors');
  const key = code as Parameters<typeof t>[0];
  return t.has(key) ? t(key) : t('failed');
}

/** What the page's query says about the last action: `?done=` or `?error=&failed=&fields=`. */
export function actionOutcome(query: Record<string, string | string[] | undefined>) {
  const one = (name: string) => {
    const value = query[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    done: one('done'),
    error: one('error'),
    failed: one('failed'),
    fields: (one('fields') ?? '').split(',').filter(Boolean),
  };
}
export type ActionOutcome = ReturnType<typeof actionOutcome>;

/** Marks a field the last refusal named, pointing it at the message (and its own hint, if any). */
export function fieldState(
  outcome: ActionOutcome,
  action: string,
  field: string,
  resultId: string,
  hint?: string,
) {
  const bad = outcome.failed === action && outcome.fields.includes(field);
  const describedBy = [hint, bad ? `${resultId}-text` : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': bad || undefined, 'aria-describedby': describedBy || undefined };
}
