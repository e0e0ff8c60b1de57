/**
 * Prints an access token for a demo user from a running identity provider (development only):
 *
 *   node backend/dist/dev-idp/get-token.js operator
 *   IDP_ISSUER=http://localhost:4001/realms/custos node backend/dist/dev-idp/get-token.js admin
 *
 * Uses the password grant of the public client `custos-cli` with the demo password (override
 * with IDP_PASSWORD), so it works against the development provider and a Keycloak realm imported
 * from infra/keycloak/realm-custos.json alike.
 */
import { demoUsers } from '../launcher/demo-data.js';
import { fetchPasswordToken } from './password-token.js';

const DEFAULT_ISSUER = 'http://localhost:4001/realms/custos';

async function main(): Promise<number> {
  const username = process.argv[2];
  if (!username || username === '--help' || username === '-h') {
    const names = demoUsers.map((user) => user.username).join(', ');
    process.stderr.write(
      `usage: get-token <username>\n  demo users: ${names}\n  env: IDP_ISSUER (default ${DEFAULT_ISSUER}), IDP_PASSWORD\n`,
    );
    return 2;
  }
  const issuer = (process.env.IDP_ISSUER ?? DEFAULT_ISSUER).replace(/\/+$/, '');
  try {
    const token = await fetchPasswordToken(
      `${issuer}/protocol/openid-connect/token`,
      username,
      process.env.IDP_PASSWORD || undefined,
    );
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`get-token: ${message}${cause ? ` (${cause} at ${issuer})` : ''}\n`);
    return 1;
  }
}

process.exitCode = await main();
