import 'server-only';
import { api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { ProcessingRecord } from '@/features/api/types';
import { type Named, privacyNames } from './names';

/**
 * The categories of personal data the tenant processes, from its record of processing (holds and
 * breaches name the categories they concern). Empty when the record is not visible to the user.
 */
export async function personalCategories(): Promise<Array<{ id: string; name: Named }>> {
  if (!mayDo(await myPermissions(), 'read', 'ProcessingRecord')) return [];
  const record = await optional(api<ProcessingRecord>('/v1/privacy/processing-record'));
  const names = await privacyNames();
  const seen = new Map<string, Named>();
  for (const activity of record?.activities ?? []) {
    for (const category of activity.categories) {
      if (!seen.has(category.name))
        seen.set(category.name, names.category(category.name, category.description));
    }
  }
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id));
}
