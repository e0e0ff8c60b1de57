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
