import { z } from 'zod';
import { cursorSchema, limitSchema, orderSchema, pageSchema } from '../../core/http/pagination.js';
import { uuidInput } from '../../core/http/uuid.js';

export const userSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid().nullable(),
  username: z.string(),
  displayName: z.string().nullable(),
  kind: z.enum(['staff', 'data-subject']),
  roles: z.array(z.string()),
  siteIds: z.array(z.uuid()),
  attributes: z.record(z.string(), z.string()),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type User = z.infer<typeof userSchema>;
export const userViewSchema = userSchema.partial();
export const userPageSchema = pageSchema(userViewSchema);

export const userIdParams = z.strictObject({ id: uuidInput });
export const listUsersQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(['username', 'createdAt']).default('username'),
  order: orderSchema,
  tenantId: uuidInput.optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuery>;

const attributeKey = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'Lower-case letters, digits and _');
export const updateUserBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200).nullable().optional(),
    attributes: z
      .record(attributeKey, z.string().max(256))
      .refine((a) => Object.keys(a).length <= 32, 'At most 32 attributes')
      .optional()
      .describe('Organisational attributes (department, cost centre…); replaces the whole set'),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change');
export type UpdateUserBody = z.infer<typeof updateUserBody>;
