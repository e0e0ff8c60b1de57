/**
 * How every resource leaves the API: with its ETag, and with the fields the caller may not read
 * removed. Lists get the same field filtering, row by row.
 */
import type { ResourceType } from '@custos/policies';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../authz/actor.js';
import { etagFor } from './etag.js';
import type { Page } from './pagination.js';

export const etagResponseHeader = {
  etag: 'Entity tag of this version; send it back in If-Match to change the resource',
};

export function presentResource<T extends { version: number }>(
  actor: Actor,
  reply: FastifyReply,
  type: ResourceType,
  resource: T,
) {
  reply.header('etag', etagFor(resource.version));
  return actor.visible(type, resource);
}

export function presentPage<T extends object>(
  actor: Actor,
  type: ResourceType,
  page: Page<T>,
): Page<Partial<T>> {
  return { items: page.items.map((item) => actor.visible(type, item)), nextCursor: page.nextCursor };
}
