/** The export form's fields, checked and turned into the API's filter (times in UTC). */
import { localToIso } from './search-query';

export function exportBody(input: unknown): Record<string, string> | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const fields = input as Record<string, unknown>;
  const body: Record<string, string> = {};
  for (const name of ['from', 'to'] as const) {
    const value = fields[name];
    if (value === undefined || value === '') continue;
    const iso = typeof value === 'string' ? localToIso(value) : undefined;
    if (!iso) return undefined;
    body[name] = iso;
  }
  const tenantId = fields.tenantId;
  if (tenantId !== undefined && tenantId !== '') {
    if (typeof tenantId !== 'string' || tenantId.length > 64) return undefined;
    body.tenantId = tenantId;
  }
  return body;
}
