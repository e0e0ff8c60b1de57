/**
 * One simulator run, start to end: sign in, provision the fleet, connect it, generate load until the
 * duration ends or the user presses Ctrl-C, then stop the agents and decommission the fleet. Whatever fails
 * on the way, the devices the run registered are decommissioned (unless --keep), so that repeated runs do not
 * fill a tenant with orphans. Returns the exit code.
 */
import { randomBytes } from 'node:crypto';
import { PlatformClient } from '../factory/platform-client.js';
import { FleetAgents } from './agents.js';
import {
  decommissionFleet,
  provisionFleet,
  SIMULATED_MODEL,
  type SimulatedDevice,
  serialNumberFor,
} from './fleet.js';
import { LoadGenerator } from './load.js';
import type { SimulatorOptions } from './options.js';
import { formatStats, formatSummary, type Output, Progress, type StatsSample } from './progress.js';
import { SimulatedSensor } from './sensor.js';
import { PasswordGrantTokens } from './token.js';

/** How long the fleet gets to connect before a run with no device online is called off. */
const CONNECT_TIMEOUT_MS = 15_000;
/** How long messages already sent get to be acknowledged after the load stops. */
const DRAIN_TIMEOUT_MS = 5_000;

export interface RunContext {
  out: Output;
  err: Output;
  /** Fires when the run should end (Ctrl-C). */
  stop: AbortSignal;
  password: string;
}

export async function runSimulator(options: SimulatorOptions, context: RunContext): Promise<number> {
  const progress = new Progress(context.out, context.err);
  const fail = (message: string) => progress.error(`simulate: ${message}`);
  const registered = new Set<string>();
  const runId = randomBytes(3).toString('hex');
  const tokens = new PasswordGrantTokens(options.issuer, options.user, context.password);
  const client = new PlatformClient({ baseUrl: options.apiUrl, token: tokens });
  let agents: FleetAgents | undefined;
  let exitCode = 0;
  try {
    await tokens.token();
    const ca = await client.caChain();
    const devices = await provision(client, options, { runId, registered, progress, stop: context.stop });
    if (devices) {
      agents = await connect(devices, ca, options, context.stop, fail, progress);
      if (!context.stop.aborted) await generateLoad(options, context, agents, progress);
    }
  } catch (error) {
    progress.endStatus();
    fail(error instanceof Error ? error.message : String(error));
    exitCode = 1;
  }
  await agents?.stop();
  if (registered.size === 0) return exitCode;
  if (options.keep) {
    progress.log(`kept ${registered.size} devices, ${serialNumberFor(runId, '*')} (--keep)`);
    return exitCode;
  }
  const result = await decommissionFleet(client, [...registered], (done, total) =>
    progress.count('decommissioned', done, total),
  );
  for (const { deviceId, error } of result.failures) {
    fail(`device ${deviceId} was not decommissioned: ${error.message}`);
  }
  return result.failures.length > 0 ? 1 : exitCode;
}

/** The fleet, provisioned, claimed and activated; undefined when Ctrl-C came first. */
async function provision(
  client: PlatformClient,
  options: SimulatorOptions,
  run: { runId: string; registered: Set<string>; progress: Progress; stop: AbortSignal },
): Promise<SimulatedDevice[] | undefined> {
  const { progress, runId } = run;
  const site = await resolveSite(client, options.siteId);
  progress.log(
    `provisioning ${options.devices} ${SIMULATED_MODEL} devices, ${serialNumberFor(runId, 1)} to ` +
      `${serialNumberFor(runId, options.devices)}, into site ${site.label}`,
  );
  const start = performance.now();
  const devices = await provisionFleet(client, {
    count: options.devices,
    siteId: site.id,
    runId,
    registered: run.registered,
    signal: run.stop,
    onProgress: (done, total) => progress.count('provisioned', done, total),
  });
  if (run.stop.aborted) {
    progress.endStatus();
    progress.log('interrupted while provisioning');
    return undefined;
  }
  const seconds = (performance.now() - start) / 1000;
  const perSecond = (devices.length / seconds).toFixed(1);
  progress.log(`provisioned ${devices.length} devices in ${seconds.toFixed(1)} s (${perSecond} devices/s)`);
  return devices;
}

/** One agent per device, started; throws if none of them gets online. */
async function connect(
  devices: SimulatedDevice[],
  ca: string,
  options: SimulatorOptions,
  stop: AbortSignal,
  fail: (message: string) => void,
  progress: Progress,
): Promise<FleetAgents> {
  const agents = new FleetAgents(devices, {
    brokerUrl: options.brokerUrl,
    ca,
    protocolVersion: options.protocol,
    onError: (message) => fail(`device agent: ${message}`),
  });
  agents.start();
  const online = await agents.waitOnline(CONNECT_TIMEOUT_MS, stop);
  if (online === 0 && !stop.aborted) {
    await agents.stop();
    throw new Error(
      `no device could connect to ${options.brokerUrl} within ${CONNECT_TIMEOUT_MS / 1000} s` +
        (options.protocol === 5 ? ' (the embedded broker speaks MQTT 3.1.1 only: try --protocol 4)' : ''),
    );
  }
  progress.log(`${online}/${devices.length} devices online at ${options.brokerUrl}`);
  return agents;
}

async function resolveSite(
  client: PlatformClient,
  siteId: string | undefined,
): Promise<{ id: string; label: string }> {
  if (siteId) return { id: siteId, label: siteId };
  const [first] = await client.sites();
  if (!first) throw new Error('the user can read no site to claim the devices into: pass --site');
  return { id: first.id, label: `${first.name} (${first.id})` };
}

/** Publishes at the fleet-wide rate until the duration ends or the run is stopped; prints every second. */
async function generateLoad(
  options: SimulatorOptions,
  context: RunContext,
  agents: FleetAgents,
  progress: Progress,
): Promise<void> {
  const sensors = agents.agents.map(() => new SimulatedSensor());
  const load = new LoadGenerator({ devices: agents.publishers(sensors), ratePerSecond: options.rate });
  const start = performance.now();
  let previous: StatsSample = { atMs: start, counters: load.counters };
  const report = () => {
    const current = { atMs: performance.now(), counters: load.counters };
    progress.status(formatStats(current, previous, start, agents.online, agents.agents.length));
    previous = current;
  };
  load.start();
  await new Promise<void>((resolve) => {
    const ticker = setInterval(report, 1000);
    const timer =
      options.durationSeconds === undefined ? undefined : setTimeout(finish, options.durationSeconds * 1000);
    function finish() {
      clearInterval(ticker);
      clearTimeout(timer);
      context.stop.removeEventListener('abort', finish);
      resolve();
    }
    context.stop.addEventListener('abort', finish, { once: true });
    if (context.stop.aborted) finish();
  });
  load.stop();
  const seconds = (performance.now() - start) / 1000;
  // Stopping an agent fails what it still holds: let the broker acknowledge what is on its way first.
  await load.drain(DRAIN_TIMEOUT_MS);
  // A last status for what was acknowledged since the previous one, unless that one was just printed.
  if (performance.now() - previous.atMs > 250) report();
  progress.endStatus();
  progress.log(formatSummary(load.counters, seconds));
}
