/** Builds the one validated configuration object from the environment. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { type SettingName, settings } from './config.schema.js';

type Raw = { [K in SettingName]: z.output<(typeof settings)[K][0]> };

type Resolved =
  | 'DEV_IDP_ENABLED'
  | 'SEED_DEMO'
  | 'OIDC_JWKS_URI'
  | 'MQTT_EMBEDDED_BROKER'
  | 'MQTT_PROTOCOL_VERSION'
  | 'MQTT_CLIENT_ID'
  | 'WEB_PUBLIC_URL';

export interface AppConfig extends Omit<Raw, Resolved> {
  DEV_IDP_ENABLED: boolean;
  SEED_DEMO: boolean;
  OIDC_JWKS_URI: string;
  MQTT_EMBEDDED_BROKER: boolean;
  MQTT_PROTOCOL_VERSION: 4 | 5;
  MQTT_CLIENT_ID: string;
  WEB_PUBLIC_URL: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const schema = z.object(
  Object.fromEntries(Object.entries(settings).map(([name, [type]]) => [name, type])) as {
    [K in SettingName]: (typeof settings)[K][0];
  },
);

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings mean "unset", as in most deployment tools.
  const input = Object.fromEntries(Object.keys(settings).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const raw = parsed.data as Raw;
  const production = raw.NODE_ENV === 'production';
  const embeddedBroker = raw.MQTT_EMBEDDED_BROKER ?? !production;
  const config: AppConfig = {
    ...raw,
    DEV_IDP_ENABLED: raw.DEV_IDP_ENABLED ?? !production,
    SEED_DEMO: raw.SEED_DEMO ?? !production,
    OIDC_JWKS_URI: raw.OIDC_JWKS_URI ?? `${raw.OIDC_ISSUER.replace(/\/$/, '')}/protocol/openid-connect/certs`,
    WEB_PUBLIC_URL: (raw.WEB_PUBLIC_URL ?? `http://localhost:${raw.WEB_PORT}`).replace(/\/$/, ''),
    MQTT_EMBEDDED_BROKER: embeddedBroker,
    // The embedded broker (aedes) speaks MQTT 3.1.1 only.
    MQTT_PROTOCOL_VERSION: raw.MQTT_PROTOCOL_VERSION
      ? (Number(raw.MQTT_PROTOCOL_VERSION) as 4 | 5)
      : embeddedBroker
        ? 4
        : 5,
    MQTT_CLIENT_ID:
      raw.MQTT_CLIENT_ID ??
      `custos-backend-${hostname()
        .replace(/[^A-Za-z0-9_.:-]/g, '-')
        .slice(0, 48)}`,
  };
  if (production && config.DEV_IDP_ENABLED) {
    throw new ConfigError(['DEV_IDP_ENABLED: the development identity provider must not run in production']);
  }
  if (config.AUDIT_WITNESS_URL && !config.AUDIT_WITNESS_PUBLIC_KEY) {
    throw new ConfigError([
      'AUDIT_WITNESS_PUBLIC_KEY: required with AUDIT_WITNESS_URL (co-signatures that cannot be checked are worthless)',
    ]);
  }
  if (production && !config.DATABASE_URL) {
    throw new ConfigError(['DATABASE_URL: required in production (the embedded server is for development)']);
  }
  return Object.freeze(config);
}

/** The configuration as safe to print: secrets replaced. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      const doc = settings[k as SettingName]?.[1] as { secret?: boolean } | undefined;
      return [k, doc?.secret && v !== undefined ? '[secret]' : v];
    }),
  );
}

export const APP_CONFIG = Symbol('APP_CONFIG');
