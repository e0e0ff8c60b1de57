/**
 * The audit event catalog: every kind of event Custos records, as one versioned, typed list shared
 * by the backend (which writes events) and the offline verifier (which reads them from a bundle).
 * A new kind of event is a new entry in `eventPayloads`; an entry is never changed in a way that
 * makes old events invalid (add a new type or an optional field instead), because events recorded
 * years ago must still parse.
 *
 * An event becomes an *entry* when the trail seals it: it gets its sequence number (= its leaf
 * index in the Merkle tree) and the hash of the entry before it. The leaf data is the RFC 8785
 * canonical JSON of the entry (see canonical.ts and docs/audit-bundle.md).
 */

import { z } from 'zod';

export const CATALOG_VERSION = 1;

export const actorKinds = ['user', 'service', 'device', 'system'] as const;
export const outcomes = ['allowed', 'denied', 'failed'] as const;

const id = z.string().min(1).max(200);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character lower-case hex SHA-256');
const isoTime = z.iso.datetime({ offset: false, precision: 3 });

/** Fields that are not personal data: identifiers, states, counts. Values are JSON scalars or lists of them. */
const plainValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
const changes = {
  /** Names of the fields the change touched, personal or not. */
  changed: z.array(z.string()),
  /** New values of the touched fields that are not personal data (personal ones are only in `sealed`). */
  after: z.record(z.string(), plainValue),
};
/** Why a recorded attempt did not succeed (outcome denied or failed). */
const failure = { error: z.object({ code: z.string(), status: z.number().int() }).optional() };
const reads = { ids: z.array(id).max(1000), count: z.number().int().nonnegative() };

const mutation = z
  .object({ ...changes, ...failure })
  .partial({ changed: true, after: true })
  .strict();
const transition = z
  .object({ ...changes, from: z.string().optional(), to: z.string().optional(), ...failure })
  .partial({ changed: true, after: true })
  .strict();
const read = z
  .object({ ...reads, ...failure })
  .partial({ ids: true, count: true })
  .strict();

/** Every event type and the schema of its (non-personal) payload. */
export const eventPayloads = {
  'tenant.created': mutation,
  'tenant.updated': mutation,
  'site.created': mutation,
  'site.updated': mutation,
  'user.updated': mutation,
  /** An account created on its first sign-in, from the identity provider's claims. */
  'user.provisioned': mutation,
  'user.read': read,
  'user.listed': read,
  'device.registered': mutation,
  'device.updated': mutation,
  'device.provisioned': transition,
  'device.claimed': transition,
  'device.activated': transition,
  'device.suspended': transition,
  'device.decommissioned': transition,
  /** A read that returned health data (which patient a device monitors). */
  'device.read': read,
  'device.listed': read,
  /** Telemetry of a patient's device was read: one event per patient (accounting of disclosures). */
  'device.telemetry_read': read,
  /** A command was queued for a device (its parameters are not recorded: they may be personal). */
  'device.command_requested': z
    .object({ commandId: z.uuid(), name: z.string().max(64), ...failure })
    .partial({ commandId: true, name: true })
    .strict(),
  /** The device acknowledged, refused or failed a command, or it timed out. */
  'device.command_completed': z
    .object({
      commandId: z.uuid(),
      name: z.string().max(64),
      status: z.enum(['acknowledged', 'failed', 'timed_out']),
      error: z.string().max(64).optional(),
    })
    .strict(),
  /** The device's session went up or down, as its retained state and last will tell. */
  'device.connected': z.object({}).strict(),
  'device.disconnected': z.object({}).strict(),
  /** The device CA issued a certificate for a key the device's chip proved it holds (its CSR). */
  'device.certificate_issued': z
    .object({
      serialNumber: z.string().max(40),
      fingerprintSha256: hex64,
      notAfter: isoTime,
      purpose: z.enum(['provisioning', 'rotation']),
      /** Provisioning only: whether the key was on the tenant's secure-element manifests, and the chip's serial. */
      preProvisioned: z.boolean().optional(),
      uniqueId: z
        .string()
        .regex(/^[0-9a-f]{18}$/)
        .optional(),
      ...failure,
    })
    .partial({ serialNumber: true, fingerprintSha256: true, notAfter: true, purpose: true })
    .strict(),
  'device.certificate_revoked': z
    .object({ serialNumber: z.string().max(40), reason: z.string().max(40), ...failure })
    .partial({ serialNumber: true, reason: true })
    .strict(),
  /** A one-time claim code was issued for a device (never the code: only its id and expiry). */
  'device.claim_code_issued': z
    .object({ claimCodeId: z.uuid(), expiresAt: isoTime, replaced: z.boolean(), ...failure })
    .partial({ claimCodeId: true, expiresAt: true, replaced: true })
    .strict(),
  /**
   * An attempt to claim a device with its claim code: allowed (beside `device.claimed`), or denied
   * with the reason. The code itself is never recorded, the serial number as the caller sent it.
   */
  'device.claim_code_redeemed': z
    .object({
      claimCodeId: z.uuid(),
      serialNumber: z.string().max(64),
      reason: z.enum([
        'unknown_serial',
        'wrong_code',
        'code_used',
        'code_superseded',
        'code_expired',
        'device_locked',
        'too_many_failures',
        'not_claimable',
        'site_unavailable',
        'possession_not_proven',
      ]),
      /** Failed guesses against the device's live code so far, when there is one. */
      attempts: z.number().int().nonnegative(),
      ...failure,
    })
    .partial({ claimCodeId: true, serialNumber: true, reason: true, attempts: true })
    .strict(),
  /** A claimed device moved to another site of its tenant; `fromSiteId` is where it was. */
  'device.transferred': z
    .object({ ...changes, fromSiteId: z.uuid().nullable(), ...failure })
    .partial({ changed: true, after: true, fromSiteId: true })
    .strict(),
  /** A device released from its site back to provisioned (its live claim codes revoked). */
  'device.unclaimed': transition,
  /**
   * A signed secure-element manifest (Trust&GO) was imported as the tenant's allowlist of
   * pre-provisioned chips: its hash, its signers and how many chips it added. `alreadyImported`: the
   * same manifest was imported before, and nothing changed.
   */
  'device.manifest_imported': z
    .object({
      manifestId: z.uuid(),
      sha256: hex64,
      signers: z.array(hex64).max(16),
      entries: z.number().int().nonnegative(),
      added: z.number().int().nonnegative(),
      alreadyImported: z.boolean(),
      ...failure,
    })
    .partial({
      manifestId: true,
      sha256: true,
      signers: true,
      entries: true,
      added: true,
      alreadyImported: true,
    })
    .strict(),
  /**
   * Messages from a device that the platform refused (malformed, failing the model's schema, from a
   * device not allowed to send): one event per device and reason per window, with the count.
   */
  'device.telemetry_rejected': z
    .object({ reason: z.string().max(64), count: z.number().int().positive(), topic: z.string().max(256) })
    .strict(),
  /** An authenticated request refused by policy, on any route. */
  'access.denied': z
    .object({ permission: z.string().optional(), route: z.string(), method: z.string() })
    .strict(),
  /** The API saw a new access token for the first time (per instance): the closest it gets to a sign-in. */
  'auth.signed_in': z
    .object({ clientId: z.string().nullable(), issuer: z.string(), tokenId: z.string() })
    .strict(),
  'audit.searched': z.object({ filter: z.record(z.string(), plainValue), count: z.number().int() }).strict(),
  'audit.exported': z
    .object({
      exportId: z.uuid(),
      filter: z.record(z.string(), plainValue),
      treeSize: z.number().int().nonnegative(),
      ...failure,
    })
    .partial({ exportId: true, filter: true, treeSize: true })
    .strict(),
  /** Erasure receipt: the subject's key was destroyed; their sealed data is unreadable from now on. */
  'audit.subject_erased': z.object({ reason: z.string().max(500), keyExisted: z.boolean() }).strict(),
  'audit.signing_key_rotated': z.object({ keyId: z.string(), previousKeyId: z.string().nullable() }).strict(),
  /** A person asked for the whole trail to be verified now (scheduled runs record only failures). */
  'audit.verified': z
    .object({
      ok: z.boolean(),
      checkedEvents: z.number().int().nonnegative(),
      firstBadSeq: z.number().int().nullable(),
      treeSize: z.number().int().nullable(),
      ...failure,
    })
    .partial({ ok: true, checkedEvents: true, firstBadSeq: true, treeSize: true })
    .strict(),
  'audit.verification_failed': z
    .object({
      firstBadSeq: z.number().int().nullable(),
      treeSize: z.number().int().nullable(),
      reason: z.string(),
    })
    .strict(),
  // ── Privacy operations. Free text a person wrote (reasons, details) goes only in `sealed`. ──
  /** A data-subject request was filed (in the portal, signed in, or by an officer on the subject's behalf). */
  'privacy.request_filed': z
    .object({
      requestType: z.string().max(32),
      jurisdiction: z.string().max(32),
      dueAt: isoTime,
      identityMethod: z.string().max(32).nullable(),
      ...failure,
    })
    .partial({ requestType: true, jurisdiction: true, dueAt: true, identityMethod: true })
    .strict(),
  /** A one-time code was sent to the requester's contact, or a code was checked (outcome says how it went). */
  'privacy.request_code_sent': z.object({ ...failure }).strict(),
  'privacy.identity_verified': z
    .object({ method: z.string().max(32), attempts: z.number().int().nonnegative().optional(), ...failure })
    .partial({ method: true })
    .strict(),
  /** A step of the request's workflow: assigned, extended, rejected, started, reminded. */
  'privacy.request_assigned': transition,
  'privacy.request_extended': transition,
  'privacy.request_rejected': transition,
  'privacy.request_started': transition,
  /** A request passed its due date unanswered: the reminder sent to the privacy officers. */
  'privacy.request_overdue': z
    .object({
      dueAt: isoTime,
      daysOverdue: z.number().int(),
      /** A warning sent before the due date (daysOverdue is then negative: days left). */
      warning: z.boolean().optional(),
    })
    .strict(),
  /**
   * A request was answered. `outcome` counts what was gathered, changed, erased or kept per table
   * (never values); `kept` names what was kept and why (a legal hold, a retention duty).
   */
  'privacy.request_completed': z
    .object({
      requestType: z.string().max(32),
      counts: z.record(z.string(), z.number().int().nonnegative()),
      kept: z.array(
        z.object({ table: z.string(), reason: z.string().max(200), holdId: z.uuid().optional() }).strict(),
      ),
      ...failure,
    })
    .partial({ counts: true, kept: true })
    .strict(),
  /** An officer read a request (or a page of them): it holds the requester's own words and contact. */
  'privacy.request_read': read,
  /** The requester (or an officer) downloaded the result of an access or portability request. */
  'privacy.result_downloaded': read,
  'privacy.restriction_changed': z
    .object({
      kind: z.enum(['restriction', 'objection']),
      purpose: z.string().nullable(),
      active: z.boolean(),
    })
    .strict(),
  /**
   * A rectification request (GDPR art. 16, HIPAA §164.526) corrected the subject's data in one table:
   * which columns, in how many rows. The corrected values are only in `sealed`.
   */
  'privacy.data_rectified': z
    .object({
      table: z.string().max(64),
      columns: z.array(z.string().max(64)),
      rows: z.number().int().nonnegative(),
    })
    .strict(),
  /**
   * An erasure request (GDPR art. 17) deleted or anonymised some of the subject's rows of one table,
   * one event per batch transaction: counts only, never values.
   */
  'privacy.data_erased': z
    .object({
      table: z.string().max(64),
      action: z.enum(['delete', 'anonymise']),
      rows: z.number().int().nonnegative(),
    })
    .strict(),
  'privacy.consent_recorded': z
    .object({
      purpose: z.string().max(64),
      action: z.enum(['given', 'withdrawn']),
      source: z.string().max(32),
      ...failure,
    })
    .partial({ purpose: true, action: true, source: true })
    .strict(),
  /** A subject's consent records were read (their history, or their current state per purpose). */
  'privacy.consent_read': read,
  'privacy.legal_hold_placed': mutation,
  'privacy.legal_hold_released': transition,
  /** A hold's reason, matter or owner changed (what it covers never changes; see the database guard). */
  'privacy.legal_hold_updated': mutation,
  'privacy.retention_changed': mutation,
  /** A privacy officer asked for a retention run of their tenant (dry or real); its receipt follows. */
  'privacy.retention_run_requested': z
    .object({ runId: z.uuid(), dryRun: z.boolean(), ...failure })
    .partial({ runId: true, dryRun: true })
    .strict(),
  /**
   * The receipt of a retention run: what went, per schedule, category and period, and what holds
   * kept back. `signature` is Ed25519 by the audit signing key `keyId` over the RFC 8785 canonical
   * JSON of this payload without `signature`, so the receipt can be checked on its own too.
   */
  'privacy.retention_receipt': z
    .object({
      runId: z.uuid(),
      /** The tenant whose data the receipt covers (null: platform data of no tenant). Signed with the rest. */
      tenantId: z.uuid().nullable().optional(),
      dryRun: z.boolean(),
      startedAt: isoTime,
      finishedAt: isoTime,
      schedules: z.array(
        z
          .object({
            schedule: z.string().max(64),
            category: z.string().max(64),
            action: z.string().max(32),
            cutoff: isoTime.nullable(),
            from: isoTime.nullable(),
            to: isoTime.nullable(),
            rows: z.number().int().nonnegative(),
            partitions: z.number().int().nonnegative(),
            held: z.number().int().nonnegative(),
          })
          .strict(),
      ),
      holds: z.array(z.uuid()),
      keyId: z.string().max(64),
      signature: z.base64(),
      ...failure,
    })
    .partial({ keyId: true, signature: true })
    .strict(),
  'privacy.breach_recorded': mutation,
  'privacy.breach_updated': mutation,
  /** 72 hours after a breach was detected, the supervisory authority had not been notified. */
  'privacy.breach_notification_overdue': z
    .object({ detectedAt: isoTime, hoursSince: z.number().int() })
    .strict(),
  'privacy.processing_record_exported': z
    .object({ format: z.string().max(16), activities: z.number().int() })
    .strict(),
  'system.started': z.object({ policySha256: hex64, configSha256: hex64, version: z.string() }).strict(),
  'policy.changed': z.object({ previousSha256: hex64.nullable(), sha256: hex64 }).strict(),
  'config.changed': z.object({ previousSha256: hex64.nullable(), sha256: hex64 }).strict(),
} as const satisfies Record<string, z.ZodType>;

export type AuditEventType = keyof typeof eventPayloads;
export const auditEventTypes = Object.keys(eventPayloads) as AuditEventType[];
export type AuditPayload<T extends AuditEventType> = z.infer<(typeof eventPayloads)[T]>;

export const actorSchema = z
  .object({
    kind: z.enum(actorKinds),
    id: id,
    roles: z.array(z.string()),
    tenantId: z.uuid().nullable(),
    /** The person a service or device acted for (token `act`/`azp`), when known. */
    onBehalfOf: id.nullable(),
  })
  .strict();

export const resourceSchema = z
  .object({ type: z.string().min(1).max(64), id: id.nullable(), tenantId: z.uuid().nullable() })
  .strict();

export const sourceSchema = z
  .object({ ip: z.string().max(64).nullable(), userAgent: z.string().max(512).nullable() })
  .strict();

/** Personal data of the event, AES-256-GCM under the data subject's own key (see docs/audit-bundle.md). */
export const sealedSchema = z
  .object({
    alg: z.literal('A256GCM'),
    /** The subject pseudonym whose key encrypts this: erasing the subject destroys that key. */
    keyRef: hex64,
    iv: z.base64(),
    ciphertext: z.base64(),
    tag: z.base64(),
  })
  .strict();

const common = {
  v: z.literal(CATALOG_VERSION),
  time: isoTime,
  outcome: z.enum(outcomes),
  actor: actorSchema,
  resource: resourceSchema,
  /** Keyed pseudonym (HMAC-SHA-256, hex) of the data subject the event concerns, if any. */
  subject: hex64.nullable(),
  purposeOfUse: z.string().max(64).nullable(),
  requestId: z.string().max(128).nullable(),
  source: sourceSchema,
  sealed: sealedSchema.nullable(),
};

const eventVariants = auditEventTypes.map((type) =>
  z.object({ ...common, type: z.literal(type), payload: eventPayloads[type] }).strict(),
);

/** An event as recorded, before the trail seals it. */
export const auditEventSchema = z.discriminatedUnion(
  'type',
  eventVariants as unknown as [(typeof eventVariants)[number], ...(typeof eventVariants)[number][]],
);

/** A sealed entry: the event plus its place in the trail. This exact object, canonicalised, is the Merkle leaf. */
export const auditEntrySchema = z.discriminatedUnion(
  'type',
  eventVariants.map((variant) =>
    variant.extend({ seq: z.number().int().nonnegative(), prevHash: hex64 }),
  ) as unknown as [(typeof eventVariants)[number], ...(typeof eventVariants)[number][]],
);

type Common = {
  v: typeof CATALOG_VERSION;
  time: string;
  outcome: (typeof outcomes)[number];
  actor: z.infer<typeof actorSchema>;
  resource: z.infer<typeof resourceSchema>;
  subject: string | null;
  purposeOfUse: string | null;
  requestId: string | null;
  source: z.infer<typeof sourceSchema>;
  sealed: z.infer<typeof sealedSchema> | null;
};

export type AuditEvent = {
  [T in AuditEventType]: Common & { type: T; payload: AuditPayload<T> };
}[AuditEventType];

export type AuditEntry = AuditEvent & { seq: number; prevHash: string };
export type AuditActor = z.infer<typeof actorSchema>;
export type AuditResource = z.infer<typeof resourceSchema>;
export type AuditOutcome = (typeof outcomes)[number];
export type SealedData = z.infer<typeof sealedSchema>;
