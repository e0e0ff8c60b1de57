/**
 * Every setting Custos reads, in one place: the schema validates `process.env` once at start-up and
 * documents each variable (docs/configuration.md is checked against this list by a test).
 * Nothing else in the codebase reads `process.env`.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();

export interface SettingDoc {
  description: string;
  /** Secrets are never logged and are redacted from the printed configuration. */
  secret?: boolean;
  /** Human-readable default, as documented. */
  default: string;
}

/** Each entry: env variable → [zod schema with default, documentation]. */
export const settings = {
  NODE_ENV: [
    z.enum(['development', 'test', 'production']).default('development'),
    {
      description: 'Runtime mode. `production` disables the development identity provider and demo seed.',
      default: 'development',
    },
  ],
  API_HOST: [
    z.string().min(1).default('localhost'),
    { description: 'Interface the API listens on.', default: 'localhost' },
  ],
  API_PORT: [port.default(4000), { description: 'Port of the API (`/api`, `/metrics`).', default: '4000' }],
  WEB_PORT: [
    port.default(3000),
    {
      description:
        'Port of the web app that `npm start` serves beside the API; the identity provider accepts sign-ins returning to `http://localhost:<WEB_PORT>`.',
      default: '3000',
    },
  ],
  WEB_PUBLIC_URL: [
    z.url().optional(),
    {
      description:
        'The web app’s public origin, as users reach it: claim-code QR stickers point at `<WEB_PUBLIC_URL>/claim`. The web app reads the same variable (see "Web app" below).',
      default: 'http://localhost:<WEB_PORT>',
    },
  ],
  WEB_ENABLED: [
    bool.default(true),
    { description: 'Whether `npm start` also builds and serves the web app.', default: 'true' },
  ],
  WEB_SESSION_SECRET_FILE: [
    z.string().min(1).default('.data/web/session.key'),
    {
      description:
        'Where `npm start` keeps the secret that encrypts web sessions (created on first start). Web app containers take `WEB_SESSION_SECRET` instead (see "Web app" below).',
      default: '.data/web/session.key',
      secret: true,
    },
  ],
  API_BODY_LIMIT_BYTES: [
    positiveInt.default(1_048_576),
    { description: 'Largest accepted request body; larger bodies get 413 problem+json.', default: '1048576' },
  ],
  TRUST_PROXY: [
    bool.default(false),
    {
      description: 'Trust `X-Forwarded-*` headers (set when behind OAuth2 Proxy or an API gateway).',
      default: 'false',
    },
  ],
  DATABASE_URL: [
    z.url().optional(),
    {
      description:
        'PostgreSQL (15+) connection string used by the API. When unset, `npm start` and the tests run an embedded PostgreSQL.',
      secret: true,
      default: '(embedded server)',
    },
  ],
  DATABASE_MIGRATION_URL: [
    z.url().optional(),
    {
      description:
        'Connection string of the schema owner, used only to apply migrations at start-up. The API itself should connect (DATABASE_URL) as a login role in `custos_app`, which may only insert into and read the audit trail. Defaults to DATABASE_URL.',
      secret: true,
      default: 'DATABASE_URL',
    },
  ],
  DATABASE_POOL_SIZE: [
    positiveInt.default(10),
    { description: 'Connections in the API pool.', default: '10' },
  ],
  DATABASE_PREPARED_STATEMENTS: [
    bool.default(true),
    {
      description:
        'Name every statement so PostgreSQL plans it once per connection. Set to false behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).',
      default: 'true',
    },
  ],
  DATABASE_STATEMENT_TIMEOUT_MS: [
    positiveInt.default(10_000),
    {
      description: 'Per-statement timeout; a query running longer fails with 503 `database_timeout`.',
      default: '10000',
    },
  ],
  EMBEDDED_PG_PORT: [
    port.default(5544),
    { description: 'Port of the embedded PostgreSQL started by `npm start`.', default: '5544' },
  ],
  EMBEDDED_PG_DATA_DIR: [
    z.string().min(1).default('.data/postgres'),
    {
      description: 'Data directory of the embedded PostgreSQL (kept across restarts).',
      default: '.data/postgres',
    },
  ],
  OIDC_ISSUER: [
    z.url().default('http://localhost:4001/realms/custos'),
    {
      description: 'Issuer of access tokens (a Keycloak realm URL in production).',
      default: 'http://localhost:4001/realms/custos',
    },
  ],
  OIDC_JWKS_URI: [
    z.url().optional(),
    {
      description: 'JWKS endpoint. Defaults to the Keycloak path under the issuer.',
      default: 'OIDC_ISSUER + `/protocol/openid-connect/certs`',
    },
  ],
  OIDC_AUDIENCE: [
    z.string().min(1).default('urn:custos:api'),
    { description: 'Audience an access token must carry to be accepted.', default: 'urn:custos:api' },
  ],
  OIDC_CLOCK_TOLERANCE_SECONDS: [
    z.coerce.number().int().min(0).max(300).default(30),
    { description: 'Allowed clock skew when checking `exp`/`nbf`/`iat`.', default: '30' },
  ],
  DEV_IDP_ENABLED: [
    bool.optional(),
    {
      description: 'Run the development identity provider (never in production).',
      default: 'true unless NODE_ENV=production',
    },
  ],
  DEV_IDP_PORT: [
    port.default(4001),
    { description: 'Port of the development identity provider.', default: '4001' },
  ],
  DEV_IDP_KEYS_FILE: [
    z.string().min(1).default('.data/idp/jwks.json'),
    {
      description: 'Where the development identity provider keeps its signing keys.',
      default: '.data/idp/jwks.json',
      secret: true,
    },
  ],
  SEED_DEMO: [
    bool.optional(),
    {
      description: 'Seed the demo tenants, sites, devices and users at start.',
      default: 'true unless NODE_ENV=production',
    },
  ],
  POLICY_FILE: [
    z.string().min(1).optional(),
    {
      description: 'ABAC policy file (YAML). Defaults to the bundled `policies/abac.yaml`.',
      default: 'policies/abac.yaml',
    },
  ],
  AUTHZ_SUBJECT_CACHE_TTL_MS: [
    z.coerce.number().int().min(0).default(10_000),
    {
      description:
        'How long a user’s synchronised attributes (token claims, care assignments) are cached per instance. 0 disables the cache.',
      default: '10000',
    },
  ],
  AUDIT_MASTER_KEY_FILE: [
    z.string().min(1).default('.data/audit/master.key'),
    {
      description:
        'File holding the 32-byte audit master key (base64), which wraps every data subject’s key and the tree-head signing keys. Created on first start if missing. In production, use a KMS-backed key provider instead (docs/runbooks/audit-trail.md).',
      default: '.data/audit/master.key',
      secret: true,
    },
  ],
  AUDIT_JOBS_ENABLED: [
    bool.default(true),
    {
      description:
        'Run the audit jobs in this instance: sealing recorded events into the chain, signing tree heads, scheduled verification. Safe with many instances (advisory locks).',
      default: 'true',
    },
  ],
  AUDIT_SEAL_INTERVAL_MS: [
    positiveInt.default(100),
    { description: 'How often recorded events are sealed into the hash chain.', default: '100' },
  ],
  AUDIT_TREE_HEAD_INTERVAL_MS: [
    positiveInt.default(1000),
    {
      description: 'How often a new signed tree head is produced while events arrive.',
      default: '1000',
    },
  ],
  AUDIT_VERIFY_INTERVAL_MS: [
    z.coerce.number().int().min(0).default(900_000),
    {
      description:
        'How often the whole trail is re-verified from the database (result in `/api/health/ready` and the `custos_audit_verification_ok` metric). 0 disables the schedule.',
      default: '900000',
    },
  ],
  AUDIT_WITNESS_URL: [
    z.url().optional(),
    {
      description:
        'External witness that co-signs tree heads: each new head is POSTed there as JSON. Unset: heads are not witnessed.',
      default: '(none)',
    },
  ],
  AUDIT_WITNESS_PUBLIC_KEY: [
    z.string().min(1).optional(),
    {
      description:
        'The witness’s Ed25519 public key (base64 of the raw 32 bytes); co-signatures that do not verify with it are rejected.',
      default: '(none)',
    },
  ],
  AUDIT_WITNESS_TIMEOUT_MS: [
    positiveInt.default(2000),
    { description: 'Time allowed for the witness to answer.', default: '2000' },
  ],
  PKI_DIR: [
    z.string().min(1).default('.data/pki'),
    {
      description:
        'Directory of the development device CA (root and issuing CA certificates and keys, created on first start). In production the CA is a KMS/HSM-backed implementation of the same interface (docs/runbooks/device-pki.md).',
      default: '.data/pki',
      secret: true,
    },
  ],
  PKI_CRL_URL: [
    z.url().optional(),
    {
      description:
        'Public URL of the device CRL (this API’s `/api/v1/pki/crl`). Set it where the broker fetches revocations itself (EMQX): every certificate the CA issues then names it as its CRL distribution point, and the CRL names it as its issuing distribution point. Unset: no distribution point; the CRL is pushed to the broker (embedded broker, Mosquitto).',
      default: '(none)',
    },
  ],
  CLAIM_PROOF_OF_POSSESSION: [
    z.enum(['when-online', 'required', 'off']).default('when-online'),
    {
      description:
        'Whether claiming also needs the device’s chip to sign a fresh challenge (sent over MQTT): `when-online` (if the device is connected; a photographed sticker alone then is not enough), `required` (an offline device cannot be claimed), `off`.',
      default: 'when-online',
    },
  ],
  DEVICE_CERT_VALIDITY_DAYS: [
    z.coerce.number().int().min(1).max(825).default(365),
    { description: 'Lifetime of the device certificates the device CA issues.', default: '365' },
  ],
  DEVICE_CERT_RENEW_BEFORE_DAYS: [
    z.coerce.number().int().min(1).max(400).default(30),
    {
      description:
        'An active device whose newest certificate expires within this many days is asked for a new CSR (rotation, checked every minute).',
      default: '30',
    },
  ],
  MANIFEST_SIGNER_CERTIFICATES_FILE: [
    z.string().min(1).optional(),
    {
      description:
        'PEM file of the manifest-signing certificates (ECDSA P-256) whose secure-element manifests (Microchip Trust&GO) tenants may import as allowlists of pre-provisioned chips. Read at start-up; an unreadable file or a certificate without a P-256 key stops the start. Unset: imports are refused (503 `manifest_signer_not_configured`). See docs/runbooks/device-pki.md.',
      default: '(none)',
    },
  ],
  PROVISIONING_REQUIRE_MANIFEST: [
    bool.default(false),
    {
      description:
        'Refuse to certify a device key that is on none of its tenant’s imported secure-element manifests (422 `key_not_in_manifest`). Applies to provisioning from a CSR, not to rotation.',
      default: 'false',
    },
  ],
  DEVICE_CLAIM_CODE_VALIDITY_DAYS: [
    z.coerce.number().int().min(1).max(3650).default(30),
    {
      description:
        'How long a device claim code (the QR code printed on a device) can be redeemed after it was issued.',
      default: '30',
    },
  ],
  MQTT_ENABLED: [
    bool.default(true),
    {
      description:
        'Connect to the MQTT broker to ingest device telemetry. With `MQTT_EMBEDDED_BROKER`, `npm start` also runs the broker.',
      default: 'true',
    },
  ],
  MQTT_URL: [
    z
      .string()
      .regex(/^mqtts?:\/\/[^/]+$/, 'mqtts://host:port')
      .default('mqtts://localhost:8883'),
    {
      description:
        'The broker devices and the backend connect to (mutual TLS). `npm start` serves the embedded broker on this port.',
      default: 'mqtts://localhost:8883',
    },
  ],
  MQTT_EMBEDDED_BROKER: [
    bool.optional(),
    {
      description:
        'Whether `npm start` runs the embedded broker (aedes, MQTT 3.1.1, no shared subscriptions) at `MQTT_URL`. Production uses EMQX (`infra/emqx/`).',
      default: 'true unless NODE_ENV=production',
    },
  ],
  MQTT_PROTOCOL_VERSION: [
    z.enum(['4', '5']).optional(),
    {
      description: 'MQTT protocol of the backend’s connection: 5, or 4 (3.1.1) for the embedded broker.',
      default: '4 with the embedded broker, else 5',
    },
  ],
  MQTT_SHARED_GROUP: [
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,64}$/)
      .default('custos-ingest'),
    {
      description:
        'Shared-subscription group of the backend instances (MQTT 5 `$share/<group>/...`), so that they split the telemetry between them. Empty: a plain subscription (the embedded broker).',
      default: 'custos-ingest',
    },
  ],
  MQTT_CLIENT_ID: [
    z
      .string()
      .regex(
        /^custos-backend-[A-Za-z0-9_.:-]{1,48}$/,
        'custos-backend-<name>: the brokers admit the backend under this prefix only',
      )
      .optional(),
    {
      description:
        'This instance’s MQTT client id. Stable across restarts so that its persistent session (and the messages it had not acknowledged) resumes.',
      default: 'custos-backend-<hostname>',
    },
  ],
  MQTT_CA_FILE: [
    z.string().min(1).optional(),
    {
      description:
        'PEM trust anchors for the broker’s server certificate. Unset: the device CA in `PKI_DIR`.',
      default: '(device CA)',
    },
  ],
  MQTT_CERT_FILE: [
    z.string().min(1).optional(),
    {
      description:
        'PEM client certificate (and chain) of the backend, CN `custos-backend`. Unset: issued by the development device CA at start.',
      default: '(issued at start)',
    },
  ],
  MQTT_KEY_FILE: [
    z.string().min(1).optional(),
    { description: 'PEM private key of `MQTT_CERT_FILE`.', default: '(issued at start)', secret: true },
  ],
  MQTT_RECEIVE_MAXIMUM: [
    z.coerce.number().int().min(1).max(65_535).default(5000),
    {
      description:
        'Telemetry messages the broker may have in flight to one instance before it waits for acknowledgements (MQTT 5 Receive Maximum). Bounds memory while a commit is slow.',
      default: '5000',
    },
  ],
  EMQX_API_URL: [
    z.url().optional(),
    {
      description:
        'EMQX management API (e.g. `http://emqx:18083`): revoking a certificate disconnects the device through it. Unset: brokers learn revocations from the CRL alone.',
      default: '(none)',
    },
  ],
  EMQX_API_KEY: [
    z.string().min(1).optional(),
    { description: 'API key for `EMQX_API_URL`.', default: '(none)' },
  ],
  EMQX_API_SECRET: [
    z.string().min(1).optional(),
    { description: 'API secret for `EMQX_API_URL`.', default: '(none)', secret: true },
  ],
  TELEMETRY_BATCH_SIZE: [
    z.coerce.number().int().min(1).max(10_000).default(1000),
    { description: 'Most telemetry messages committed in one transaction.', default: '1000' },
  ],
  TELEMETRY_BATCH_WAIT_MS: [
    z.coerce.number().int().min(0).max(5000).default(20),
    {
      description: 'How long a partly filled batch waits for more messages before it is committed.',
      default: '20',
    },
  ],
  TELEMETRY_MAX_AGE_HOURS: [
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(168),
    {
      description:
        'Oldest measurement time accepted (devices flush their offline queue after an outage); older messages are refused as `time_out_of_range`.',
      default: '168',
    },
  ],
  TELEMETRY_PARTITIONS_AHEAD_DAYS: [
    z.coerce.number().int().min(1).max(60).default(3),
    {
      description: 'Daily telemetry partitions the partition job keeps created ahead of today.',
      default: '3',
    },
  ],
  JOBS_ENABLED: [
    bool.default(true),
    {
      description:
        'Run background jobs (data-subject request fulfilment, retention) in this instance. Safe with many instances: jobs are claimed from a PostgreSQL queue with SKIP LOCKED.',
      default: 'true',
    },
  ],
  JOBS_POLL_INTERVAL_MS: [
    positiveInt.default(1000),
    { description: 'How often an idle instance looks for due jobs.', default: '1000' },
  ],
  PRIVACY_DEFAULT_JURISDICTION: [
    z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,31}$/)
      .default('gdpr'),
    {
      description:
        'Jurisdiction whose deadlines apply to a data-subject request that names none (see `policies/privacy/jurisdictions.yaml`).',
      default: 'gdpr',
    },
  ],
  PRIVACY_CODE_VALIDITY_MINUTES: [
    z.coerce.number().int().min(5).max(1440).default(30),
    { description: 'How long a one-time code sent to a requester stays valid.', default: '30' },
  ],
  PRIVACY_REMINDER_INTERVAL_MS: [
    z.coerce.number().int().min(0).default(3_600_000),
    {
      description:
        'How often overdue data-subject requests and breach notifications are looked for (0: never).',
      default: '3600000',
    },
  ],
  RETENTION_ENABLED: [
    bool.default(true),
    {
      description: 'Schedule the daily retention run (any instance may run it; it runs once per day).',
      default: 'true',
    },
  ],
  RETENTION_RUN_AT_UTC: [
    z
      .string()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/)
      .default('02:30'),
    { description: 'Time of day (UTC, HH:MM) of the daily retention run.', default: '02:30' },
  ],
  RETENTION_BATCH_SIZE: [
    z.coerce.number().int().min(100).max(100_000).default(5000),
    {
      description:
        'Rows deleted or anonymised per transaction by retention and erasure (small batches keep locks short).',
      default: '5000',
    },
  ],
  MAIL_URL: [
    z.url().optional(),
    {
      description:
        'SMTP server for mail to requesters and privacy officers (`smtp://` or `smtps://`, credentials in the URL). Default: the embedded development mail catcher.',
      default: '(embedded mail catcher)',
      secret: true,
    },
  ],
  MAIL_FROM: [
    z.string().min(3).default('Custos <privacy@custos.localhost>'),
    {
      description: 'Sender of mail to requesters and privacy officers.',
      default: 'Custos <privacy@custos.localhost>',
    },
  ],
  MAIL_CATCHER_ENABLED: [
    bool.default(true),
    {
      description:
        'Start the development mail catcher with the local stack: it accepts all mail and shows it at `http://localhost:MAIL_CATCHER_HTTP_PORT`. Never in production.',
      default: 'true',
    },
  ],
  MAIL_CATCHER_SMTP_PORT: [
    port.default(2525),
    { description: 'SMTP port of the development mail catcher.', default: '2525' },
  ],
  MAIL_CATCHER_HTTP_PORT: [
    port.default(4025),
    { description: 'Web page (and JSON at `/messages`) of the development mail catcher.', default: '4025' },
  ],
  LOG_LEVEL: [
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    { description: 'Minimum log level (JSON logs on stdout, personal data redacted).', default: 'info' },
  ],
  METRICS_ENABLED: [
    bool.default(true),
    { description: 'Serve Prometheus metrics at `/metrics`.', default: 'true' },
  ],
} as const satisfies Record<string, readonly [z.ZodType, SettingDoc]>;

export type SettingName = keyof typeof settings;
