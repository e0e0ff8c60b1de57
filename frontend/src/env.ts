/**
 * The web app's settings, read from the environment once and validated (the one place that reads
 * `process.env`). Embedded defaults match `npm start`; see docs/configuration.md, "Web app".
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  WEB_PUBLIC_URL: z.url().default('http://localhost:3000'),
  WEB_API_URL: z.url().default('http://localhost:4000/api'),
  WEB_OIDC_ISSUER: z.url().default('http://localhost:4001/realms/custos'),
  WEB_OIDC_CLIENT_ID: z.string().min(1).default('custos-web'),
  WEB_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  WEB_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(720).default(15),
  WEB_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24).default(10),
});

export type WebEnv = Omit<z.output<typeof schema>, 'WEB_SESSION_SECRET'> & { WEB_SESSION_SECRET: string };

function load(): WebEnv {
  const input = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, process.env[key] === '' ? undefined : process.env[key]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid web app configuration:\n  ${issues.join('\n  ')}`);
  }
  const env = parsed.data;
  if (!env.WEB_SESSION_SECRET && env.NODE_ENV === 'production') {
    throw new Error('Invalid web app configuration:\n  WEB_SESSION_SECRET: required in production');
  }
  // Without a secret (`next dev`), sessions last as long as this process. `npm start` passes one.
  return { ...env, WEB_SESSION_SECRET: env.WEB_SESSION_SECRET ?? randomBytes(32).toString('base64url') };
}

let cached: WebEnv | undefined;
export function env(): WebEnv {
  cached ??= load();
  return cached;
}
