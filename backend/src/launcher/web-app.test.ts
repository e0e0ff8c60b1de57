/** The web app's child process gets the system basics and its own settings, none of the API's. */
import { describe, expect, it } from 'vitest';
import { webAppEnvironment } from './web-app.js';

describe('webAppEnvironment', () => {
  it('passes PATH, HOME, locale, Node options and WEB_* settings, and nothing else', () => {
    const env = webAppEnvironment({
      PATH: '/usr/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      NODE_OPTIONS: '--max-old-space-size=512',
      WEB_SESSION_IDLE_MINUTES: '5',
      DATABASE_URL: 'postgres://secret@db/custos',
      DATABASE_MIGRATION_URL: 'postgres://owner@db/custos',
      AUDIT_MASTER_KEY_FILE: '/keys/master.key',
      AUDIT_WITNESS_URL: 'https://witness',
      OIDC_ISSUER: 'https://idp',
      SENTRY_DSN: 'https://key@sentry',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      NODE_OPTIONS: '--max-old-space-size=512',
      WEB_SESSION_IDLE_MINUTES: '5',
    });
  });
});
