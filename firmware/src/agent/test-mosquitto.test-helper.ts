/**
 * A Mosquitto 2 instance of our own for the agent's MQTT 5 tests, on a free port, with the platform's mTLS
 * and ACL rules in a generated config: a client certificate is required, its CN becomes the username, and the
 * ACL patterns let a device write only its telemetry, state and acks and read only its commands. Started as
 * root, Mosquitto drops to user `mosquitto`, so its directory is handed to that user.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../tests/support/free-port.js';
import type { TestPki } from './test-pki.test-helper.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const PLATFORM_USER = 'custos-platform';
const STARTUP_TIMEOUT_MS = 10_000;

export function mosquittoAvailable(): boolean {
  return existsSync(MOSQUITTO);
}

export class MosquittoTestBroker {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
    private readonly directory: string,
  ) {}

  get url(): string {
    return `mqtts://localhost:${this.port}`;
  }

  static async start(pki: TestPki): Promise<MosquittoTestBroker> {
    const directory = mkdtempSync(join(tmpdir(), 'custos-mosquitto-'));
    const port = await freePort();
    const path = (name: string) => join(directory, name);
    writeFileSync(path('ca.pem'), pki.rootPem);
    writeFileSync(path('server.pem'), pki.server.certPem);
    writeFileSync(path('server.key'), pki.server.keyPem, { mode: 0o600 });
    writeFileSync(
      path('acl'),
      [
        `user ${PLATFORM_USER}`,
        'topic readwrite devices/#',
        '',
        'pattern write devices/%u/telemetry',
        'pattern write devices/%u/state',
        'pattern read devices/%u/commands',
        'pattern write devices/%u/commands/ack',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path('mosquitto.conf'),
      [
        'per_listener_settings false',
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        'log_type information',
        `listener ${port} 127.0.0.1`,
        `cafile ${path('ca.pem')}`,
        `certfile ${path('server.pem')}`,
        `keyfile ${path('server.key')}`,
        'require_certificate true',
        'use_identity_as_username true',
        'allow_anonymous false',
        `acl_file ${path('acl')}`,
        '',
      ].join('\n'),
    );
    handToMosquittoUser(directory, ['ca.pem', 'server.pem', 'server.key', 'acl', 'mosquitto.conf']);
    const child = spawn(MOSQUITTO, ['-c', path('mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await running(child);
    return new MosquittoTestBroker(port, child, directory);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = once(this.process, 'exit');
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Resolves when Mosquitto logs that it runs; rejects with its log if it exits or takes too long. */
function running(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mosquitto did not start:\n${log}`));
    }, STARTUP_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (/mosquitto version \S+ running/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mosquitto exited with ${code}:\n${log}`));
    });
  });
}

/** Only root needs this: Mosquitto then reads its files as user `mosquitto`. */
function handToMosquittoUser(directory: string, files: string[]): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'mosquitto'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'mosquitto'], { encoding: 'utf8' }).trim());
  chownSync(directory, uid, gid);
  for (const file of files) chownSync(join(directory, file), uid, gid);
}
