import { z } from 'zod';
import { cursorSchema, limitSchema, orderSchema, pageSchema } from '../../core/http/pagination.js';
import { uuidInput } from '../../core/http/uuid.js';

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Tenant = z.infer<typeof tenantSchema>;
export const tenantViewSchema = tenantSchema.partial();
export const tenantPageSchema = pageSchema(tenantViewSchema);

export const tenantIdParams = z.strictObject({ id: uuidInput });
export const listTenantsQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(['slug', 'createdAt']).default('slug'),
  order: orderSchema,
});
export type ListTenantsQuery = z.infer<typeof listTenantsQuery>;

export const createTenantBody = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Lower-case letters, digits and - (2 to 63)'),
  name: z.string().trim().min(1).max(200),
});
export type CreateTenantBody = z.infer<typeof createTenantBody>;
export const updateTenantBody = z.strictObject({ name: z.string().trim().min(1).max(200) });
export type UpdateTenantBody = z.infer<typeof updateTenantBody>;
