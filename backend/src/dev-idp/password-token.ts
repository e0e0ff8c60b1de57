import { DEMO_PASSWORD } from '../launcher/demo-data.js';

/**
 * Convenience for tests and scripts: a password grant ("direct access grant") with the public
 * client `custos-cli`, returning the access token. Works against the development provider and
 * against a Keycloak realm imported from infra/keycloak/realm-custos.json.
 */
export async function fetchPasswordToken(
  tokenEndpoint: string,
  username: string,
  password: string = DEMO_PASSWORD,
): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'custos-cli',
      username,
      password,
      scope: 'openid',
    }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  if (!response.ok || typeof body.access_token !== 'string') {
    // Never echo the password: name the user, the status and the OAuth error only.
    const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
    throw new Error(
      `password grant for user "${username}" failed with HTTP ${response.status}${reason ? ` (${reason})` : ''}`,
    );
  }
  return body.access_token;
}
