/**
 * Serves the OpenAPI document and an interactive reference (Swagger UI, from the swagger-ui-dist
 * package: no CDN, works offline). Both are public and listed in docs/ARCHITECTURE.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Custos API reference</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><main id="api-reference"></main><script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;
const init = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#api-reference' });`;

export const DOCS_ROUTES = [
  '/api/openapi.json',
  '/api/docs',
  '/api/docs/init.js',
  ...Object.keys(assets).map((a) => `/api/docs/${a}`),
];

export function registerDocsRoutes(fastify: FastifyInstance, document: () => unknown): void {
  let cached: string | undefined;
  fastify.get('/api/openapi.json', async (_request, reply) => {
    cached ??= JSON.stringify(document());
    return reply.type('application/json; charset=utf-8').send(cached);
  });
  fastify.get('/api/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  fastify.get('/api/docs/init.js', async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(init),
  );
  for (const [file, type] of Object.entries(assets)) {
    const body = readFileSync(path.join(uiDir, file));
    fastify.get(`/api/docs/${file}`, async (_request, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=86400').send(body),
    );
  }
}
