import 'server-only';
import { cache } from 'react';
import { api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Page, User } from '@/features/api/types';

/**
 * The people of the viewer's tenant the API lets them see, by id (names of assignees, hold owners,
 * and the choices for assigning and linking). The first 200: enough for a tenant's staff list here;
 * an id beyond them is shown as an id.
 */
export const tenantPeople = cache(async (): Promise<Map<string, User>> => {
  if (!mayDo(await myPermissions(), 'read', 'User')) return new Map();
  const page = await optional(api<Page<User>>('/v1/users', { query: { limit: 200 } }));
  return new Map((page?.items ?? []).map((user) => [user.id, user]));
});

export const personName = (people: Map<string, User>, id: string | null | undefined): string | undefined => {
  if (!id) return undefined;
  const person = people.get(id);
  return person ? (person.displayName ?? person.username) : undefined;
};
