/** Marks a route as reachable without a token. Every use is listed in docs/ARCHITECTURE.md and by the route inventory test. */
import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'custos:public';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
