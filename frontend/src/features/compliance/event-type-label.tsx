import { getTranslations } from 'next-intl/server';

/** An audit event type's name in the page's language, with its stable code beside it. */
export async function EventTypeLabel({ type }: { type: string }) {
  const t = await getTranslations('audit');
  const key = `types.${type}` as Parameters<typeof t>[0];
  return (
    <span>
      {t.has(key) ? t(key) : type} <code className="muted">{type}</code>
    </span>
  );
}
