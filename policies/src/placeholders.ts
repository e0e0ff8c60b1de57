/**
 * Placeholders let one rule serve every subject: `${subject.tenantId}` in a condition becomes the
 * caller's tenant when the ability is built. A placeholder is always a whole value, never spliced
 * into a larger string, so a value can only ever be one of the subject's own attributes.
 */
import type { SubjectAttributes } from './model.js';

export const scalarPlaceholders = ['userId', 'tenantId', 'subjectPatientId'] as const;
export const listPlaceholders = ['siteIds', 'patientIds'] as const;

type ScalarName = (typeof scalarPlaceholders)[number];
type ListName = (typeof listPlaceholders)[number];

export type Placeholder = { kind: 'scalar'; name: ScalarName } | { kind: 'list'; name: ListName };

const pattern = /^\$\{subject\.([A-Za-z]+)\}$/;

/** Whether a string looks like an attempt at a placeholder (and must therefore parse as one). */
export function mentionsPlaceholder(value: string): boolean {
  return value.includes('${');
}

/** The placeholder a string denotes, or undefined when it is not a well-formed known one. */
export function parsePlaceholder(value: string): Placeholder | undefined {
  const name = pattern.exec(value)?.[1];
  if ((scalarPlaceholders as readonly string[]).includes(name ?? '')) {
    return { kind: 'scalar', name: name as ScalarName };
  }
  if ((listPlaceholders as readonly string[]).includes(name ?? '')) {
    return { kind: 'list', name: name as ListName };
  }
  return undefined;
}

/** Marks a placeholder whose subject attribute is missing: the rule must not apply as written. */
export const unresolved = Symbol('unresolved placeholder');

function usable(value: unknown): value is string {
  // An empty or missing attribute would otherwise compare equal to NULL or '' columns and grant
  // access to rows that belong to nobody (e.g. a platform admin's null tenant).
  return typeof value === 'string' && value !== '';
}

/** The subject's value for a placeholder, or `unresolved` when it is null, empty or malformed. */
export function resolvePlaceholder(
  placeholder: Placeholder,
  subject: SubjectAttributes,
): string | string[] | typeof unresolved {
  if (placeholder.kind === 'scalar') {
    const value = subject[placeholder.name];
    return usable(value) ? value : unresolved;
  }
  const list: unknown = subject[placeholder.name];
  // One bad element makes the whole list suspect; dropping just the element could widen a $nin.
  return Array.isArray(list) && list.every(usable) ? [...list] : unresolved;
}
