/**
 * Lists the API's Nest routes with their contracts, from the controllers' metadata: the OpenAPI
 * document and the route inventory test both read this one list.
 */

import type { INestApplicationContext } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth/public.decorator.js';
import { ENDPOINT_METADATA, type EndpointSpec } from './endpoint.decorator.js';

export const API_PREFIX = '/api';

export interface RouteInfo {
  method: string;
  /** Full path in Fastify style, e.g. /api/v1/devices/:id */
  path: string;
  isPublic: boolean;
  spec: EndpointSpec | undefined;
  handler: string;
}

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

export function listRoutes(app: INestApplicationContext): RouteInfo[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    const prototype = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      routes.push({
        method: RequestMethod[method],
        path: join(API_PREFIX, base, path),
        isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, metatype]) === true,
        spec: reflector.get<EndpointSpec>(ENDPOINT_METADATA, handler),
        handler: `${metatype.name}.${name}`,
      });
    }
  }
  return routes;
}

const recorded = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Records every route Fastify registers (Nest's and our own), for the route inventory test. */
export function recordRoutes(fastify: FastifyInstance): void {
  const routes: Array<{ method: string; url: string }> = [];
  recorded.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
}

export function recordedRoutes(fastify: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return recorded.get(fastify) ?? [];
}
