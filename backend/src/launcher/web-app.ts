/**
 * The web app as `npm start` serves it: `next start` on the production build of `frontend/`, in a
 * child process, pointed at the API and identity provider that the launcher started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOrCreateSecretFile } from '../core/config/secret-file.js';

export const FRONTEND_DIR = fileURLToPath(new URL('../../../frontend/', import.meta.url));

export interface WebAppOptions {
  host: string;
  port: number;
  apiUrl: string;
  issuer: string;
  /** Where the session-encryption secret is kept, so sessions survive a restart. */
  sessionSecretFile: string;
  /** Extra environment for the web app (tests shorten the idle timeout, say). */
  env?: Record<string, string>;
  onOutput?: (line: string) => void;
}

export interface RunningWebApp {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * What the web app may see of the launcher's environment: the system's basics and its own WEB_*
 * settings. Never the API's secrets (DATABASE_URL, the audit master key path…): the web app is a
 * client of the API like any other.
 */
export function webAppEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const allowed = /^(PATH|HOME|TMPDIR|TZ|LANG|LC_\w+|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|WEB_\w+)$/;
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => allowed.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}
const CHILD = fileURLToPath(new URL('./web-app-child.js', import.meta.url));

export async function startWebApp(options: WebAppOptions): Promise<RunningWebApp> {
  if (!existsSync(path.join(FRONTEND_DIR, '.next', 'BUILD_ID'))) {
    throw new Error('the web app is not built: run `npm run build` (npm start does it for you)');
  }
  const nextBin = createRequire(path.join(FRONTEND_DIR, 'package.json')).resolve('next/dist/bin/next');
  const url = `http://localhost:${options.port}`;
  const child = spawn(
    process.execPath,
    [
      CHILD,
      String(process.pid),
      nextBin,
      'start',
      '--port',
      String(options.port),
      '--hostname',
      options.host,
    ],
    {
      cwd: FRONTEND_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...webAppEnvironment(process.env),
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        WEB_PUBLIC_URL: url,
        WEB_API_URL: options.apiUrl,
        WEB_OIDC_ISSUER: options.issuer,
        WEB_SESSION_SECRET: await readOrCreateSecretFile(options.sessionSecretFile, 32),
        ...options.env,
      },
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = () => stopChild(child);
  try {
    await waitUntilServing(child, `${url}/en/sign-in`, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function waitUntilServing(child: ChildProcess, probe: string, output: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const detail = output.join('\n');
      const inUse = /EADDRINUSE/.test(detail);
      throw new Error(
        inUse
          ? `the web app's port is in use: ${probe}. Set WEB_PORT to a free port.`
          : `the web app exited (${child.exitCode}):\n${detail}`,
      );
    }
    const ok = await fetch(probe, { redirect: 'manual' }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the web app did not answer at ${probe} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
