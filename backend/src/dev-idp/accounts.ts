import { createHash, timingSafeEqual } from 'node:crypto';
import { DEMO_PASSWORD, type DemoUser, demoUserByName, demoUsers } from '../launcher/demo-data.js';

/**
 * The realm's accounts and the claims they put into access tokens. The claim names and shapes
 * mirror the protocol mappers of the Keycloak realm export (infra/keycloak/realm-custos.json):
 * `preferred_username`, `realm_access.roles`, `tenant_id` (absent without a tenant), `site_ids`.
 * No e-mail address, name or other personal data goes into a token.
 */
export const REALM = 'custos';
export const WEB_CLIENT_ID = 'custos-web';
export const CLI_CLIENT_ID = 'custos-cli';
export const SERVICE_CLIENT_ID = 'custos-service';
/** Keycloak names a client's service-account user `service-account-<clientId>`. */
export const SERVICE_ACCOUNT_USERNAME = `service-account-${SERVICE_CLIENT_ID}`;
export const SERVICE_ROLE = 'service';

export interface RealmAccessClaims {
  preferred_username: string;
  realm_access: { roles: string[] };
  tenant_id?: string;
  site_ids?: string[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function findUserById(id: string): DemoUser | undefined {
  return demoUsers.find((user) => user.id === id);
}

/** Keycloak matches usernames case-insensitively (it stores them in lower case). */
export function verifyUserCredentials(username: unknown, password: unknown): DemoUser | undefined {
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  const user = demoUserByName(username.trim().toLowerCase());
  // Compare even for unknown users so that timing does not reveal which usernames exist.
  const passwordOk = secretsEqual(password, DEMO_PASSWORD);
  return user && passwordOk ? user : undefined;
}

export function userClaims(user: DemoUser): RealmAccessClaims {
  return {
    preferred_username: user.username,
    realm_access: { roles: [...user.roles] },
    ...(user.tenantId ? { tenant_id: user.tenantId } : {}),
    site_ids: [...user.siteIds],
  };
}

/** A client's service account: no tenant, no sites, the `service` realm role only. */
export function serviceAccountClaims(): RealmAccessClaims {
  return { preferred_username: SERVICE_ACCOUNT_USERNAME, realm_access: { roles: [SERVICE_ROLE] } };
}
