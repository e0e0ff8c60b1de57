/**
 * The breach form as the API takes it, checked first (pure, for tests). Times are typed as UTC
 * (`datetime-local` fields labelled so) and sent as ISO 8601. On a change (`edit`), an emptied
 * optional field is sent as null, so it can be cleared.
 */
import { type BreachRisk, type BreachStatus, breachRisks, breachStatuses } from '@/features/api/types';

export const BREACH_LIMITS = { title: 200, description: 8000, text: 4000 } as const;
const CATEGORY = /^[a-z][a-z0-9.-]{0,63}$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

export type BreachInput =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error: string; fields: string[] };

/** A `datetime-local` value read as UTC; undefined when empty, null when unreadable. */
export function utcTime(value: string): string | undefined | null {
  const text = value.trim();
  if (!text) return undefined;
  if (!LOCAL_TIME.test(text)) return null;
  const full = text.length === 16 ? `${text}:00` : text;
  const date = new Date(`${full}Z`);
  // A date that does not exist (30 February) would roll over into the next month: refuse it.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== full) return null;
  return date.toISOString();
}

/** An ISO time as a `datetime-local` value in UTC (minutes). */
export const localValue = (iso: string | null | undefined) => (iso ? iso.slice(0, 16) : '');

export function breachBody(
  field: (name: string) => string,
  categories: string[],
  mode: 'create' | 'edit',
): BreachInput {
  const bad: string[] = [];
  const body: Record<string, unknown> = {};
  const text = (name: string) => field(name).replace(/\r\n/g, '\n').trim();
  const required = (name: string, max: number) => {
    const value = text(name);
    if (!value || value.length > max) bad.push(name);
    else body[name] = value;
  };
  const optionalText = (name: string, max: number) => {
    const value = text(name);
    if (value.length > max) bad.push(name);
    else if (value) body[name] = value;
    else if (mode === 'edit') body[name] = null;
  };
  const count = (name: string) => {
    const value = text(name);
    if (!value) {
      if (mode === 'edit') body[name] = null;
      return;
    }
    const number = Number(value);
    if (!/^\d{1,9}$/.test(value) || !Number.isSafeInteger(number)) bad.push(name);
    else body[name] = number;
  };
  const time = (name: string) => {
    const value = utcTime(field(name));
    if (value === null) bad.push(name);
    else if (value) body[name] = value;
    else if (mode === 'edit' && name !== 'detectedAt') body[name] = null;
  };
  required('title', BREACH_LIMITS.title);
  required('description', BREACH_LIMITS.description);
  body.categories = [...new Set(categories)].filter((category) => CATEGORY.test(category));
  count('subjectsAffected');
  count('recordsAffected');
  optionalText('likelyConsequences', BREACH_LIMITS.text);
  optionalText('measures', BREACH_LIMITS.text);
  const risk = text('risk') as BreachRisk;
  if (!breachRisks.includes(risk)) bad.push('risk');
  else body.risk = risk;
  time('occurredAt');
  time('detectedAt');
  if (mode === 'edit') {
    const status = text('status') as BreachStatus;
    if (!breachStatuses.includes(status)) bad.push('status');
    else body.status = status;
    time('authorityNotifiedAt');
    time('subjectsNotifiedAt');
    optionalText('lateNotificationReason', BREACH_LIMITS.text);
  }
  return bad.length > 0 ? { ok: false, error: 'invalid_fields', fields: bad } : { ok: true, body };
}
