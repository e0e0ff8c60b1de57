/**
 * Access tokens for the simulator: Keycloak's direct access grant (`grant_type=password`, public client
 * `custos-cli`), which the development identity provider mirrors for its demo users. Tokens live 5 minutes
 * there, and a run can last hours: the token is cached until shortly before it expires and fetched again,
 * and the API client asks for a new one when the API answers 401 anyway (clock skew, a restarted provider).
 */
import { type AccessTokenSource, networkCause } from '../factory/platform-client.js';

/** The demo users' password (backend/src/launcher/demo-data.ts); IDP_PASSWORD overrides it. */
export const DEMO_PASSWORD = 'custos-demo';

/** Renew this long before expiry, so a request never leaves with a token about to run out. */
const RENEW_MARGIN_MS = 30_000;

export class PasswordGrantTokens implements AccessTokenSource {
  readonly tokenEndpoint: string;
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(
    issuer: string,
    private readonly username: string,
    private readonly password: string,
    private readonly now: () => number = Date.now,
  ) {
    this.tokenEndpoint = `${issuer.replace(/\/+$/, '')}/protocol/openid-connect/token`;
  }

  token(): Promise<string> {
    if (this.#current && this.now() < this.#current.renewAt) return Promise.resolve(this.#current.token);
    return this.renew();
  }

  /** One request at a time: a burst of 401s from parallel calls shares one new token. */
  renew(): Promise<string> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(): Promise<string> {
    let response: Response;
    try {
      response = await fetch(this.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'custos-cli',
          username: this.username,
          password: this.password,
          scope: 'openid',
        }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = networkCause(error);
      throw new Error(
        `cannot reach the identity provider at ${this.tokenEndpoint}${cause ? ` (${cause})` : ''}`,
        { cause: error },
      );
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== 'string') {
      // Never echo the password: the user, the status and the OAuth error only.
      const reason = [body.error, body.error_description].filter((p) => typeof p === 'string').join(': ');
      throw new Error(
        `sign-in as "${this.username}" failed with HTTP ${response.status}${reason ? ` (${reason})` : ''}`,
      );
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 60) * 1000;
    this.#current = {
      token: body.access_token,
      renewAt: this.now() + Math.max(lifetimeMs - RENEW_MARGIN_MS, lifetimeMs / 2),
    };
    return body.access_token;
  }
}
