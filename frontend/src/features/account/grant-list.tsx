import { getFormatter, getTranslations } from 'next-intl/server';
import type { Grant } from '@/features/api/types';

const placeholder = /^\$\{subject\.(\w+)\}$/;

/** The policy rules that apply to the user's roles, in words: what, on which rows, what stays hidden. */
export async function GrantList({ grants }: { grants: Grant[] }) {
  const t = await getTranslations('account');
  const tAction = await getTranslations('account.actions');
  const tResource = await getTranslations('audit.resource');
  const tOperator = await getTranslations('account.operators');
  const tPlaceholder = await getTranslations('account.placeholders');
  const format = await getFormatter();
  // A condition value in words: "your organisation", "your sites", or the literal value.
  const value = (raw: unknown) => {
    const name = typeof raw === 'string' ? placeholder.exec(raw)?.[1] : undefined;
    if (name && tPlaceholder.has(name as never)) return <em>{tPlaceholder(name as never)}</em>;
    return <code>{JSON.stringify(raw)}</code>;
  };
  return (
    <ul className="grants">
      {grants.map((grant, index) => (
        // Rules have no id; their order in the policy file is stable for one response.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above.
        <li key={index} className={`grant ${grant.effect}`}>
          <p className="grant-title">
            <strong>{grant.effect === 'allow' ? t('allow') : t('deny')}</strong>{' '}
            {format.list(
              grant.actions.map((action) =>
                tAction.has(action as never) ? tAction(action as never) : action,
              ),
            )}{' '}
            · {tResource(grant.resource)}
          </p>
          {Object.keys(grant.conditions).length > 0 && (
            <ul className="conditions" aria-label={t('conditions')}>
              {Object.entries(grant.conditions).map(([field, condition]) => (
                <li key={field}>
                  <code>{field}</code>{' '}
                  {typeof condition === 'object' && condition !== null && !Array.isArray(condition) ? (
                    Object.entries(condition).map(([operator, operand]) => (
                      <span key={operator}>
                        {tOperator.has(operator.slice(1) as never)
                          ? tOperator(operator.slice(1) as never)
                          : operator}{' '}
                        {value(operand)}
                      </span>
                    ))
                  ) : (
                    <span>
                      {tOperator('eq')} {value(condition)}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
          {grant.withheldFields.length > 0 && (
            <p>
              {t('withheld')} <code>{grant.withheldFields.join(', ')}</code>
            </p>
          )}
          {grant.purposes && <p>{t('onlyFor', { purposes: format.list(grant.purposes) })}</p>}
          <p className="muted" lang="en">
            {grant.description}
          </p>
        </li>
      ))}
    </ul>
  );
}
