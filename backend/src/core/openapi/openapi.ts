/** Builds the OpenAPI 3.1 document from the same zod schemas that validate requests. */
import { purposesOfUse } from '@custos/policies';
import { z } from 'zod';
import { type ErrorCode, errorStatus } from '../errors/error-codes.js';
import type { RouteInfo } from '../http/route-inventory.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
};

const COMMON_ERRORS: ErrorCode[] = ['validation_failed', 'internal', 'service_unavailable'];
const AUTH_ERRORS: ErrorCode[] = ['unauthenticated', 'forbidden'];

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(errorStatus) },
    requestId: { type: 'string' },
    permission: { type: 'string', description: 'The missing permission (403 only), e.g. update:Device' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['location', 'path', 'message', 'code'],
        properties: {
          location: { type: 'string', enum: ['body', 'query', 'params', 'header'] },
          path: { type: 'string' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
};

const purposeHeader: JsonSchema = {
  name: 'x-purpose-of-use',
  in: 'header',
  required: false,
  description: 'Why the caller needs the data; some fields (health data) are shown only for some purposes.',
  schema: { type: 'string', enum: [...purposesOfUse] },
};

function parameters(route: RouteInfo): JsonSchema[] {
  const out: JsonSchema[] = route.isPublic ? [] : [purposeHeader];
  const add = (where: 'path' | 'query' | 'header', schema: z.ZodObject | undefined) => {
    if (!schema) return;
    const json = toSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  };
  add('path', route.spec?.params);
  add('query', route.spec?.query);
  add('header', route.spec?.headers);
  return out;
}

export function buildOpenApi(routes: RouteInfo[], info: { version: string; issuer: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const spec = route.spec;
    if (!spec) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const codes = new Set<ErrorCode>([
      ...(route.isPublic ? [] : AUTH_ERRORS),
      ...COMMON_ERRORS,
      ...(spec.errors ?? []),
    ]);
    const responses: Record<string, JsonSchema> = {
      [String(spec.response.status)]: {
        description: spec.response.description,
        ...(spec.response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.response.headers).map(([h, d]) => [
                  h,
                  { description: d, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        ...(spec.response.schema
          ? { content: { 'application/json': { schema: toSchema(spec.response.schema, 'output') } } }
          : {}),
      },
    };
    for (const code of codes) {
      const status = String(errorStatus[code]);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = {
      operationId: route.handler.replace('.', '_'),
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: spec.tags,
      ...(spec.permission ? { 'x-permission': spec.permission } : {}),
      security: route.isPublic ? [] : [{ bearer: [] }],
      parameters: parameters(route),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Custos API',
      version: info.version,
      description:
        'Compliance-first IoT fleet management. Errors are RFC 9457 problem+json with a stable `code`. ' +
        'Send `X-Purpose-Of-Use` to state why health data is requested.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'openIdConnect',
          openIdConnectUrl: `${info.issuer}/.well-known/openid-configuration`,
        },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
