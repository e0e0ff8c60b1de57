/**
 * The portal's request form, checked before it reaches the API: the same limits as the API (so a
 * mistake is named here, next to its field), the right's own fields only for that right, and
 * nothing the form did not ask for.
 */
import { type RequestType, requestTypes } from '@/features/api/types';

export const LIMITS = { email: 320, subjectReference: 200, details: 4000, name: 200 } as const;

/** The form's fields that a message can point at. */
export const filingFields = [
  'type',
  'email',
  'jurisdiction',
  'subjectReference',
  'details',
  'rectificationName',
  'rectificationEmail',
  'objectionPurposes',
] as const;
export type FilingField = (typeof filingFields)[number];

export interface FilingBody {
  type: RequestType;
  email?: string;
  jurisdiction?: string;
  locale: string;
  timeZone?: string;
  subjectReference?: string;
  details?: string;
  rectification?: { name?: string; email?: string };
  objectionPurposes?: string[];
}

export type FilingInput =
  | { ok: true; body: FilingBody }
  | { ok: false; error: 'invalid_fields'; fields: FilingField[] };

/** An address with one @, something before it and a dot in the domain; the code mail proves the rest. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PURPOSE = /^[a-z][a-z0-9-]{0,63}$/;
const JURISDICTION = /^[a-z][a-z0-9-]{1,31}$/;

export const isRequestType = (value: string): value is RequestType =>
  (requestTypes as readonly string[]).includes(value);

/** A time zone the runtime knows (the browser sent it; anything else is dropped, not refused). */
export function knownTimeZone(value: string): string | undefined {
  if (!value || value.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface FilingForm {
  type: string;
  email: string;
  jurisdiction: string;
  locale: string;
  timeZone: string;
  subjectReference: string;
  details: string;
  rectificationName: string;
  rectificationEmail: string;
  objectionPurposes: string[];
}

/**
 * Checks the form. `emailRequired` is false for a signed-in data subject (their account is the
 * contact); `purposes` are the ones the portal offers for an objection.
 */
export function parseFiling(
  form: FilingForm,
  options: { emailRequired: boolean; purposes: readonly string[] },
): FilingInput {
  const bad = new Set<FilingField>();
  const text = (value: string) => value.replace(/\r\n/g, '\n').trim();
  const type = form.type;
  if (!isRequestType(type)) bad.add('type');
  const email = text(form.email);
  if ((options.emailRequired || email) && (!EMAIL.test(email) || email.length > LIMITS.email))
    bad.add('email');
  const jurisdiction = text(form.jurisdiction);
  if (jurisdiction && !JURISDICTION.test(jurisdiction)) bad.add('jurisdiction');
  const subjectReference = text(form.subjectReference);
  if (subjectReference.length > LIMITS.subjectReference) bad.add('subjectReference');
  const details = text(form.details);
  if (details.length > LIMITS.details) bad.add('details');

  let rectification: FilingBody['rectification'];
  if (type === 'rectification') {
    const name = text(form.rectificationName);
    const newEmail = text(form.rectificationEmail);
    if (name.length > LIMITS.name) bad.add('rectificationName');
    if (newEmail && (!EMAIL.test(newEmail) || newEmail.length > LIMITS.email)) bad.add('rectificationEmail');
    // A correction needs something to correct to.
    if (!name && !newEmail) bad.add('rectificationName');
    rectification = { ...(name ? { name } : {}), ...(newEmail ? { email: newEmail } : {}) };
  }
  let objectionPurposes: string[] | undefined;
  if (type === 'objection') {
    objectionPurposes = [...new Set(form.objectionPurposes)];
    const valid = objectionPurposes.every((p) => PURPOSE.test(p) && options.purposes.includes(p));
    if (objectionPurposes.length === 0 || !valid) bad.add('objectionPurposes');
  }
  if (bad.size > 0) {
    return { ok: false, error: 'invalid_fields', fields: filingFields.filter((field) => bad.has(field)) };
  }
  const timeZone = knownTimeZone(form.timeZone);
  return {
    ok: true,
    body: {
      type: type as RequestType,
      ...(email ? { email } : {}),
      ...(jurisdiction ? { jurisdiction } : {}),
      locale: form.locale,
      ...(timeZone ? { timeZone } : {}),
      ...(subjectReference ? { subjectReference } : {}),
      ...(details ? { details } : {}),
      ...(rectification ? { rectification } : {}),
      ...(objectionPurposes ? { objectionPurposes } : {}),
    },
  };
}

/** The API's field paths (`rectification.email`, `objectionPurposes.0`) as the form's fields. */
export function fieldsOfProblem(errors: Array<{ path?: string }> | undefined): FilingField[] {
  const fields = new Set<FilingField>();
  for (const { path = '' } of errors ?? []) {
    const [head, next] = path.replace(/^\//, '').split(/[./]/);
    if (head === 'rectification') fields.add(next === 'email' ? 'rectificationEmail' : 'rectificationName');
    else if ((filingFields as readonly string[]).includes(head ?? '')) fields.add(head as FilingField);
  }
  return filingFields.filter((field) => fields.has(field));
}
