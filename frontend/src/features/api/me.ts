/** The signed-in user's permissions, fetched once per request and shared by the layout and pages. */
import 'server-only';
import { cache } from 'react';
import { api, currentSession } from './api-client';
import type { Permissions, ResourceType } from './types';

export const myPermissions = cache(async (): Promise<Permissions | undefined> => {
  if (!(await currentSession())) return undefined;
  return api<Permissions>('/v1/users/me/permissions');
});

export const mayDo = (permissions: Permissions | undefined, action: string, type: ResourceType) =>
  permissions?.allowed[type]?.includes(action) ?? false;
