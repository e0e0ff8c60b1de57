import 'server-only';
import { api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import type { Page, Site } from '@/features/api/types';

/** The sites this user may see, by id (for names in device lists and the claim form). */
export async function visibleSites(): Promise<Map<string, Site>> {
  const page = await optional(api<Page<Site>>('/v1/sites', { query: { limit: 200 } }));
  return new Map((page?.items ?? []).map((site) => [site.id, site]));
}
