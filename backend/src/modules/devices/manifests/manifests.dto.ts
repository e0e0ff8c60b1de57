/**
 * Request and response schemas of secure-element manifests (validation and OpenAPI both come from
 * here), and the shape of the signed payload inside each entry.
 */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';

/** Most entries one import may carry; the API's body limit (API_BODY_LIMIT_BYTES) usually binds first. */
export const MAX_MANIFEST_ENTRIES = 10_000;

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding');

/** The chip's 9-byte serial number as Microchip prints it: 18 hex digits. */
export const uniqueIdSchema = z.string().regex(/^[0-9a-fA-F]{18}$/, 'The chip serial number: 18 hex digits');

export const signedSecureElementSchema = z
  .strictObject({
    payload: base64url(65_536).describe('base64url of the SecureElement JSON'),
    protected: base64url(2048).describe(
      'base64url of the protected JWS header: `{"typ":"JWT","alg":"ES256","kid":…,"x5t#S256":…}`',
    ),
    header: z
      .strictObject({ uniqueId: uniqueIdSchema })
      .describe('Unprotected header: the chip serial number (must equal the signed one)'),
    signature: base64url(512).describe('ES256 signature, base64url'),
  })
  .describe(
    'A SignedSecureElement: one chip, as a JWS in the flattened JSON serialization (RFC 7515 §7.2.2)',
  );
export type SignedSecureElement = z.infer<typeof signedSecureElementSchema>;

export const importManifestBody = z
  .array(signedSecureElementSchema)
  .min(1)
  .max(MAX_MANIFEST_ENTRIES)
  .describe(
    'A Trust&GO-style manifest: the JSON array of SignedSecureElement objects, as Microchip ships it',
  );
export type ImportManifestBody = z.infer<typeof importManifestBody>;

export const secureElementModels = ['ATECC608A', 'ATECC608B'] as const;

const organization = z.looseObject({
  organizationName: z.string().max(200),
  organizationalUnitName: z.string().max(200).optional(),
});

/** One key of the chip's publicKeySet; only slot 0 (kid "0"), the identity key, is used. */
const publicJwk = z.looseObject({
  kid: z.string().max(16),
  kty: z.string().max(16),
  crv: z.string().max(16).optional(),
  x: z.string().max(128).optional(),
  y: z.string().max(128).optional(),
  x5c: z.array(z.string().max(16_384)).max(8).optional(),
});

/**
 * The signed payload of an entry (a "SecureElement"). Loose: Microchip may add fields, and the
 * signature already vouches for the content; the platform keeps what it uses.
 */
export const secureElementSchema = z.looseObject({
  version: z.number().int().positive(),
  model: z.enum(secureElementModels),
  partNumber: z.string().min(1).max(64),
  manufacturer: organization,
  provisioner: organization.optional(),
  distributor: organization.optional(),
  groupId: z.string().min(1).max(64).optional(),
  provisioningTimestamp: z.iso.datetime({ offset: true }).optional(),
  uniqueId: uniqueIdSchema,
  publicKeySet: z.looseObject({ keys: z.array(publicJwk).min(1).max(16) }),
});
export type SecureElement = z.infer<typeof secureElementSchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    sha256: hex64.describe('SHA-256 of the manifest’s RFC 8785 canonical JSON'),
    signers: z
      .array(hex64)
      .describe('SHA-256 fingerprints of the trusted signer certificates its entries verified against'),
    entryCount: z.number().int().describe('Entries in the manifest'),
    newEntryCount: z
      .number()
      .int()
      .describe('Entries this import added to the list (the others were known from earlier imports)'),
    importedAt: z.string(),
    importedBy: z.uuid().describe('The user who imported it'),
  })
  .describe('An imported secure-element manifest');
export type Manifest = z.infer<typeof manifestSchema>;

export const manifestEntrySchema = z
  .object({
    uniqueId: z.string().describe('The chip serial number (lower-case hex)'),
    model: z.enum(secureElementModels),
    partNumber: z.string(),
    groupId: z.string().nullable().describe('Microchip’s group (order) id'),
    provisionedAt: z.string().nullable().describe('When Microchip provisioned the chip'),
    publicKeySha256: z
      .string()
      .describe('SHA-256 of the slot-0 key’s SubjectPublicKeyInfo (as `publicKeySha256` of certificates)'),
    deviceId: z.uuid().nullable().describe('The device provisioned with this chip’s key, once it was'),
    matchedAt: z.string().nullable(),
  })
  .describe('A pre-provisioned chip on the tenant’s list');
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestListSchema = pageSchema(manifestSchema).describe('Imported manifests, newest first');

export const manifestDetailSchema = manifestSchema
  .extend({
    entries: pageSchema(manifestEntrySchema).describe(
      'The entries this import added, by serial number; page with `cursor`',
    ),
  })
  .describe('An imported manifest and the chips it added');

export const manifestParams = z.strictObject({ id: uuidInput });
export const pageQuery = z.strictObject({ cursor: cursorSchema, limit: limitSchema });
export type PageQuery = z.infer<typeof pageQuery>;

/**
 * What provisioning from a CSR adds to the certificate it answers with
 * (`POST /api/v1/devices/{id}/certificates`): for the response schema of that route.
 */
export const preProvisioningFields = {
  preProvisioned: z
    .boolean()
    .describe('Whether the CSR’s key is on an imported secure-element manifest of the tenant (matched now)'),
  uniqueId: z.string().nullable().describe('The serial number of that chip, when it is'),
};
