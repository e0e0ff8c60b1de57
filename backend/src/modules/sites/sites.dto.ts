import { z } from 'zod';
import { cursorSchema, limitSchema, orderSchema, pageSchema } from '../../core/http/pagination.js';
import { uuidInput } from '../../core/http/uuid.js';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const timezone = z.string().min(1).max(64).refine(isTimeZone, 'Unknown IANA time zone');

export const siteSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  code: z.string(),
  name: z.string(),
  timezone: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Site = z.infer<typeof siteSchema>;
export const siteViewSchema = siteSchema.partial();
export const sitePageSchema = pageSchema(siteViewSchema);

export const siteIdParams = z.strictObject({ id: uuidInput });
export const listSitesQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(['code', 'createdAt']).default('code'),
  order: orderSchema,
  tenantId: uuidInput.optional(),
});
export type ListSitesQuery = z.infer<typeof listSitesQuery>;

export const createSiteBody = z.strictObject({
  tenantId: uuidInput.optional().describe("Defaults to the caller's tenant"),
  code: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'Upper-case letters, digits, _ and - (max 32)'),
  name: z.string().trim().min(1).max(200),
  timezone: timezone.optional(),
});
export type CreateSiteBody = z.infer<typeof createSiteBody>;

export const updateSiteBody = z
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), timezone: timezone.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change');
export type UpdateSiteBody = z.infer<typeof updateSiteBody>;
