/**
 * The benchmark's baseline: the least a secured read can do — bare Fastify, jose verifying the
 * same RS256 token against the same JWKS on every request, one indexed pg query (prepared)
 * scoped to the token's tenant. No framework, no policy engine, no validation, no caches.
 * Runs as its own process.
 */
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import pg from 'pg';

const { DATABASE_URL, JWKS_URI, ISSUER, PORT } = process.env;
const jwks = createRemoteJWKSet(new URL(JWKS_URI as string));
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/devices/:id', async (request, reply) => {
  const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
  let tenantId: string;
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'urn:custos:api' });
    tenantId = payload.tenant_id as string;
  } catch {
    return reply.status(401).send({ error: 'unauthenticated' });
  }
  // A named prepared statement, as Custos uses, so the comparison is of the layers, not of planning.
  const { rows } = await pool.query({
    name: 'baseline_device',
    text: 'SELECT id, tenant_id, site_id, serial_number, model, firmware_version, labels, lifecycle_state, created_at, updated_at, version FROM devices WHERE id = $1 AND tenant_id = $2',
    values: [request.params.id, tenantId],
  });
  if (rows.length === 0) return reply.status(404).send({ error: 'not_found' });
  return rows[0];
});

await app.listen({ port: Number(PORT), host: '127.0.0.1' });
process.stdout.write('baseline ready\n');
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
