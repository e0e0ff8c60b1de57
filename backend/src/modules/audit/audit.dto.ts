/** Request and response shapes of /api/v1/audit: search, proofs, tree heads, keys, verification, exports. */
import { auditEventTypes, outcomes } from '@custos/audit';
import { z } from 'zod';
import { limitSchema, orderSchema } from '../../core/http/pagination.js';
import { uuidInput } from '../../core/http/uuid.js';

const isoInstant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant, e.g. 2026-11-25T00:00:00Z');
const seqInput = z
  .string()
  .regex(/^\d{1,15}$/, 'A whole number')
  .transform(Number)
  .describe('Sequence number of an event (its leaf index)');
const treeSizeInput = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'A whole number from 1')
  .transform(Number);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex characters');

/** The filter shared by search and export. */
export const auditFilterShape = {
  from: isoInstant.optional().describe('Events at or after this instant'),
  to: isoInstant.optional().describe('Events before this instant'),
  tenantId: uuidInput.optional(),
  actorId: z.string().min(1).max(200).optional(),
  action: z
    .enum(auditEventTypes as [string, ...string[]])
    .optional()
    .describe('Event type'),
  resourceType: z.string().min(1).max(64).optional(),
  resourceId: z.string().min(1).max(200).optional(),
  outcome: z.enum(outcomes).optional(),
  subject: hex64.optional().describe('Data subject pseudonym'),
  subjectKind: z.enum(['patient', 'user']).optional(),
  subjectId: uuidInput
    .optional()
    .describe('With subjectKind: the subject, turned into their pseudonym server-side'),
};

const filterRefinement = <
  T extends { subjectKind?: unknown; subjectId?: unknown; from?: string; to?: string },
>(
  value: T,
  ctx: z.RefinementCtx,
) => {
  if ((value.subjectKind === undefined) !== (value.subjectId === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['subjectId'], message: 'subjectKind and subjectId go together' });
  }
  if (value.from && value.to && Date.parse(value.from) > Date.parse(value.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must not be before from' });
  }
};

export const searchAuditQuery = z
  .strictObject({
    ...auditFilterShape,
    cursor: z.string().max(64).optional(),
    limit: limitSchema,
    order: orderSchema,
  })
  .superRefine(filterRefinement);
export type SearchAuditQuery = z.infer<typeof searchAuditQuery>;
export type AuditFilter = Omit<SearchAuditQuery, 'cursor' | 'limit' | 'order'>;

export const exportAuditBody = z.strictObject(auditFilterShape).superRefine(filterRefinement);
export type ExportAuditBody = z.infer<typeof exportAuditBody>;

export const seqParams = z.strictObject({ seq: seqInput });
export const treeSizeParams = z.strictObject({ treeSize: treeSizeInput });
export const inclusionQuery = z.strictObject({
  treeSize: treeSizeInput.optional().describe('Defaults to the newest signed tree head'),
});
export const consistencyQuery = z
  .strictObject({ from: treeSizeInput, to: treeSizeInput.optional() })
  .refine((q) => q.to === undefined || q.from <= q.to, { path: ['to'], message: 'Must not be below from' });
export const listHeadsQuery = z.strictObject({
  before: treeSizeInput.optional().describe('Only heads smaller than this size (paging backwards)'),
  limit: limitSchema,
});

export const auditEventViewSchema = z
  .object({
    seq: z.number().int(),
    time: z.string(),
    tenantId: z.uuid().nullable(),
    entry: z
      .record(z.string(), z.unknown())
      .describe('The sealed entry exactly as hashed (RFC 8785 canonical JSON)'),
    leafHash: z.string(),
    personal: z.record(z.string(), z.unknown()).nullable(),
    personalStatus: z
      .enum(['none', 'available', 'erased', 'unreadable'])
      .describe(
        'unreadable: the data exists but its key no longer decrypts (a key-custody incident, not an erasure)',
      ),
  })
  .partial();
export type AuditEventView = z.infer<typeof auditEventViewSchema>;
export const auditEventPageSchema = z.object({
  items: z.array(auditEventViewSchema),
  nextCursor: z.string().nullable(),
});

export const treeHeadSchema = z.object({
  treeSize: z.number().int(),
  rootHash: z.string(),
  timestamp: z.string(),
  keyId: z.string(),
  signature: z.string(),
  cosignatures: z.array(z.object({ witnessKeyId: z.string(), timestamp: z.string(), signature: z.string() })),
});
export const treeHeadListSchema = z.object({ items: z.array(treeHeadSchema) });
export const inclusionProofSchema = z.object({
  seq: z.number().int(),
  leafHash: z.string(),
  treeSize: z.number().int(),
  proof: z.array(z.string()),
  treeHead: treeHeadSchema,
});
export const consistencyProofSchema = z.object({
  oldSize: z.number().int(),
  newSize: z.number().int(),
  proof: z.array(z.string()),
  oldHead: treeHeadSchema,
  newHead: treeHeadSchema,
});
export const keysSchema = z.object({
  logKeys: z.array(
    z.object({
      keyId: z.string(),
      algorithm: z.literal('Ed25519'),
      publicKey: z.string(),
      createdAt: z.string(),
      retiredAt: z.string().nullable(),
    }),
  ),
  witnessKeys: z.array(
    z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string() }),
  ),
});
export const verificationSchema = z.object({
  ok: z.boolean(),
  checkedEvents: z.number().int(),
  treeSize: z.number().int().nullable(),
  checkedHeads: z.number().int(),
  firstBadSeq: z.number().int().nullable(),
  badTreeSize: z.number().int().nullable(),
  reason: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
});
