import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { renderConfigTable } from './config-doc.js';

describe('configuration', () => {
  it('needs no variables for the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      API_PORT: 4000,
      DEV_IDP_ENABLED: true,
      SEED_DEMO: true,
      OIDC_AUDIENCE: 'urn:custos:api',
    });
    expect(config.OIDC_JWKS_URI).toBe('http://localhost:4001/realms/custos/protocol/openid-connect/certs');
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ API_PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrowError(ConfigError);
    try {
      loadConfig({ API_PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.split(':')[0]).sort()).toEqual([
        'API_PORT',
        'LOG_LEVEL',
      ]);
    }
  });

  it('refuses the development identity provider and the embedded database in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@db/custos' }),
    ).not.toThrow();
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@db/custos', DEV_IDP_ENABLED: 'true' }),
    ).toThrow(/DEV_IDP_ENABLED/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL/);
  });

  it('refuses a witness URL without the witness key to check its co-signatures', () => {
    expect(() => loadConfig({ AUDIT_WITNESS_URL: 'http://witness.example/cosign' })).toThrow(
      /AUDIT_WITNESS_PUBLIC_KEY/,
    );
  });

  it('hides secrets when described', () => {
    const described = describeConfig(loadConfig({ DATABASE_URL: 'postgres://user:hunter2@db/custos' }));
    expect(JSON.stringify(described)).not.toContain('hunter2');
    expect(described.DATABASE_URL).toBe('[secret]');
  });

  it('is documented, variable by variable, in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderConfigTable());
  });
});
