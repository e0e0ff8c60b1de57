import { auditEventTypes } from '@custos/audit';
import { getTranslations } from 'next-intl/server';
import { type AuditSearch, outcomes, resourceTypes, subjectKinds } from './search-query';

/** Every filter of the search API, as a plain GET form (works before hydration). */
export async function AuditSearchForm({ search }: { search: AuditSearch }) {
  const t = await getTranslations('compliance.search');
  const tAudit = await getTranslations('audit');
  const text = (name: keyof AuditSearch, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        name={name}
        type="text"
        defaultValue={search[name]}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={hint ? `audit-${name}-hint` : undefined}
      />
      {hint && (
        <span id={`audit-${name}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet.
    <form method="get" className="filters" role="search" aria-label={t('label')}>
      <div className="field">
        <label htmlFor="audit-from">{t('from')}</label>
        <input id="audit-from" name="from" type="datetime-local" step="1" defaultValue={search.from} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">{t('to')}</label>
        <input id="audit-to" name="to" type="datetime-local" step="1" defaultValue={search.to} />
      </div>
      <div className="field">
        <label htmlFor="audit-action">{t('action')}</label>
        <select id="audit-action" name="action" defaultValue={search.action}>
          <option value="">{t('any')}</option>
          {auditEventTypes.map((type) => (
            <option key={type} value={type}>
              {tAudit.has(`types.${type}` as never) ? tAudit(`types.${type}` as never) : type}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-outcome">{t('outcome')}</label>
        <select id="audit-outcome" name="outcome" defaultValue={search.outcome}>
          <option value="">{t('any')}</option>
          {outcomes.map((outcome) => (
            <option key={outcome} value={outcome}>
              {tAudit(`outcome.${outcome}`)}
            </option>
          ))}
        </select>
      </div>
      {text('actorId', t('actorId'), t('idHint'))}
      <div className="field">
        <label htmlFor="audit-resourceType">{t('resourceType')}</label>
        <select id="audit-resourceType" name="resourceType" defaultValue={search.resourceType}>
          <option value="">{t('any')}</option>
          {resourceTypes.map((type) => (
            <option key={type} value={type}>
              {tAudit(`resource.${type}`)}
            </option>
          ))}
        </select>
      </div>
      {text('resourceId', t('resourceId'), t('idHint'))}
      {text('tenantId', t('tenantId'), t('idHint'))}
      {text('subject', t('subject'), t('subjectHint'))}
      <div className="field">
        <label htmlFor="audit-subjectKind">{t('subjectKind')}</label>
        <select id="audit-subjectKind" name="subjectKind" defaultValue={search.subjectKind}>
          <option value="">{t('any')}</option>
          {subjectKinds.map((kind) => (
            <option key={kind} value={kind}>
              {t(`subjectKinds.${kind}`)}
            </option>
          ))}
        </select>
      </div>
      {text('subjectId', t('subjectId'), t('subjectIdHint'))}
      <p className="hint full">{t('timesInUtc')}</p>
      <div className="field actions">
        <button type="submit" className="button">
          {t('submit')}
        </button>
      </div>
    </form>
  );
}
