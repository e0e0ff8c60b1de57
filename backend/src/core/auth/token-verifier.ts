/**
 * Verifies bearer tokens against the issuer's JWKS (Keycloak in production, the development
 * provider locally): signature, issuer, audience, expiry with clock tolerance. The JWKS is cached
 * and refetched when an unknown key id appears (key rotation).
 */
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AppError } from '../errors/app-error.js';

const uuid = z.uuid().transform((value) => value.toLowerCase());
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/** The claims Custos reads (Keycloak's shape). Anything else in the token is ignored. */
export const tokenClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  iss: z.string(),
  exp: z.number(),
  preferred_username: z.string().min(1).max(255).optional(),
  realm_access: z.object({ roles: z.array(z.string()).default([]) }).optional(),
  tenant_id: uuid.optional(),
  site_ids: stringList.pipe(z.array(uuid)).optional(),
  /** The client the token was issued to (recorded with the sign-in event). */
  azp: z.string().max(255).optional(),
});

export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

const MAX_CACHED_TOKENS = 20_000;

/**
 * jose errors that mean the key set could not be had (IdP down, answering 5xx or garbage), as
 * opposed to a bad token. A bare JOSEError (ERR_JOSE_GENERIC) is what a non-200 JWKS answer raises.
 */
const IDENTITY_PROVIDER_FAULTS = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID', 'ERR_JWKS_TIMEOUT']);

@Injectable()
export class TokenVerifier {
  private readonly jwks;
  /**
   * Tokens already verified, until they expire: a signature check costs more than the rest of a
   * read. Keyed by the exact token bytes, so a cached entry can only ever match the same token.
   */
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAt: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.OIDC_JWKS_URI), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  }

  async verify(token: string): Promise<TokenClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > Date.now()) return hit.claims;
      this.verified.delete(token);
    }
    const claims = await this.verifyUncached(token);
    if (this.verified.size >= MAX_CACHED_TOKENS) this.verified.clear();
    this.verified.set(token, { claims, expiresAt: claims.exp * 1000 });
    return claims;
  }

  private async verifyUncached(token: string): Promise<TokenClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.OIDC_ISSUER,
        audience: this.config.OIDC_AUDIENCE,
        clockTolerance: this.config.OIDC_CLOCK_TOLERANCE_SECONDS,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      }));
    } catch (error) {
      // The identity provider being unreachable is our outage, not the caller's bad token.
      if (!(error instanceof joseErrors.JOSEError) || IDENTITY_PROVIDER_FAULTS.has(error.code)) {
        throw new AppError('service_unavailable', {
          detail: 'The identity provider is unreachable.',
          cause: error,
        });
      }
      throw new AppError('unauthenticated', {
        detail: reasonFor(error),
        headers: challenge('invalid_token'),
      });
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AppError('unauthenticated', {
        detail: 'The token lacks required claims or has malformed ones.',
        headers: challenge('invalid_token'),
      });
    }
    return claims.data;
  }
}

export const challenge = (error?: string): Record<string, string> => ({
  'www-authenticate': error ? `Bearer realm="custos", error="${error}"` : 'Bearer realm="custos"',
});

function reasonFor(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `The token's ${error.claim} claim is not accepted.`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token was not signed by a known key.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
  return 'The token is malformed or not accepted.';
}
