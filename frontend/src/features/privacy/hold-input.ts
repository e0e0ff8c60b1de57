/** The legal hold form as the API takes it, checked first (pure, for tests). */
import { type HoldScope, holdScopes } from '@/features/api/types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORY = /^[a-z][a-z0-9.-]{0,63}$/;
export const HOLD_LIMITS = { reason: 2000, matter: 200 } as const;

export type HoldInput =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error: string; fields: string[] };

export function holdBody(field: (name: string) => string, categories: string[]): HoldInput {
  const text = (name: string) => field(name).replace(/\r\n/g, '\n').trim();
  const scope = text('scope') as HoldScope;
  if (!holdScopes.includes(scope)) return { ok: false, error: 'scope_required', fields: ['scope'] };
  const target: Record<string, string> = {};
  const bad: string[] = [];
  const id = (name: string) => {
    const value = text(name);
    if (UUID.test(value)) target[name] = value;
    else bad.push(name);
  };
  if (scope === 'site') id('siteId');
  if (scope === 'device') id('deviceId');
  if (scope === 'subject') {
    // One person: a patient record or a user account.
    if (text('patientId')) id('patientId');
    else if (text('userId')) id('userId');
    else bad.push('patientId');
  }
  if (bad.length > 0) return { ok: false, error: 'target_required', fields: bad };
  const reason = text('reason');
  if (!reason || reason.length > HOLD_LIMITS.reason)
    return { ok: false, error: 'reason_required', fields: ['reason'] };
  const matter = text('matter');
  if (matter.length > HOLD_LIMITS.matter) return { ok: false, error: 'too_long', fields: ['matter'] };
  const ownerId = text('ownerId');
  if (!UUID.test(ownerId)) return { ok: false, error: 'choose_owner', fields: ['ownerId'] };
  const chosen = [...new Set(categories)].filter((category) => CATEGORY.test(category));
  return {
    ok: true,
    body: {
      scope,
      ...target,
      ...(chosen.length > 0 ? { categories: chosen } : {}),
      reason,
      ...(matter ? { matter } : {}),
      ownerId,
    },
  };
}
