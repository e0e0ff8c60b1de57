import { getTranslations } from 'next-intl/server';
import type { RequestType } from '@/features/api/types';

/**
 * The first step of filing: which right. A plain GET form (the choice changes nothing yet), so
 * the next step is rendered by the server with only the fields that right needs; no script.
 */
export async function TypeStep({ types, chosen }: { types: readonly RequestType[]; chosen?: RequestType }) {
  const t = await getTranslations('portal.form');
  const tType = await getTranslations('privacy.types');
  const tHelp = await getTranslations('portal.rights');
  return (
    <section aria-labelledby="type-step-heading" className="card">
      <h2 id="type-step-heading">{t('typeStep')}</h2>
      <form method="get" className="portal-form">
        <fieldset className="choice-group">
          <legend>{t('typeLegend')}</legend>
          {types.map((type) => (
            <div key={type} className="choice">
              <input
                id={`type-${type}`}
                type="radio"
                name="type"
                value={type}
                required
                defaultChecked={chosen === type}
                aria-describedby={`type-${type}-help`}
              />
              <label htmlFor={`type-${type}`}>{tType(type)}</label>
              <p id={`type-${type}-help`} className="hint">
                {tHelp(type)}
              </p>
            </div>
          ))}
        </fieldset>
        <div>
          <button type="submit" className="button">
            {t('continue')}
          </button>
        </div>
      </form>
    </section>
  );
}
