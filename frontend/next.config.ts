import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./src/i18n/request.ts');

const config: NextConfig = {
  // A self-contained server (`.next/standalone/server.js`) for the production image.
  output: 'standalone',
  poweredByHeader: false,
  // The audit catalog is plain ESM built by its own workspace; Node loads it at run time.
  serverExternalPackages: ['@custos/audit'],
  reactStrictMode: true,
  // The workspace root holds the lockfile; trace files from there.
  outputFileTracingRoot: new URL('..', import.meta.url).pathname,
  turbopack: { root: new URL('..', import.meta.url).pathname },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          // The camera for this origin only: the claim page reads QR codes with it. Not only on
          // /claim: a page reached by client-side navigation keeps the first document's policy.
          { key: 'Permissions-Policy', value: 'camera=(self), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default withNextIntl(config);
