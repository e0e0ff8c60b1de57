/**
 * The simulated fleet on the platform: each device gets its own emulated ATECC608A and goes through the same
 * factory step as a real one (register, personalise, CSR, certificate), then is claimed into a site and
 * activated; on exit the whole fleet is decommissioned, which revokes its certificates. Several devices are
 * in flight at once: an emulated chip spends most of its ~300 ms waiting out command execution times, and
 * the API handles a few requests in parallel, so 8 at a time is about 8 times faster than one by one.
 */
import type { KeyObject } from 'node:crypto';
import { Atecc608a } from '../atecc608a/driver.js';
import { Atecc608aEmulator } from '../atecc608a/emulator.js';
import { FactoryError } from '../factory/errors.js';
import { IDENTITY_KEY_SLOT } from '../factory/personalise.js';
import type { PlatformClient } from '../factory/platform-client.js';
import { provisionDevice } from '../factory/provision-device.js';

export const SIMULATED_MODEL = 'CX-Temp 2';
const CONCURRENCY = 8;

export interface SimulatedDevice {
  serialNumber: string;
  deviceId: string;
  certificateChainPem: string;
  /** The emulator's stand-in for the TLS engine a real gateway would use (see firmware/README.md). */
  tlsKey: KeyObject;
  /** The device's chip: it answers proof-of-possession challenges and signs rotation CSRs. */
  chip: Atecc608a;
}

export interface ProvisionFleetOptions {
  count: number;
  siteId: string;
  /** `SIM-<runId>-<index>`: a run id per run, so that repeated runs never reuse a serial number. */
  runId: string;
  /**
   * Every device id the platform created, added as soon as it exists (before its certificate), so the caller
   * can decommission all of them whatever happens later.
   */
  registered: Set<string>;
  /** Stops starting new devices (the ones in flight finish). */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export function serialNumberFor(runId: string, index: number | '*'): string {
  return `SIM-${runId}-${index}`;
}

/**
 * Provisions, claims and activates `count` devices; returns them in index order. Stops at the first failure
 * (the devices in flight finish) and throws it: a platform that refuses one device will refuse the others.
 */
export async function provisionFleet(
  client: PlatformClient,
  options: ProvisionFleetOptions,
): Promise<SimulatedDevice[]> {
  const devices: SimulatedDevice[] = [];
  let done = 0;
  await inParallel(options.count, CONCURRENCY, options.signal, async (i) => {
    const device = await provisionOne(client, options, i + 1);
    devices[i] = device;
    done += 1;
    options.onProgress?.(done, options.count);
  });
  return devices.filter(Boolean);
}

async function provisionOne(
  client: PlatformClient,
  options: ProvisionFleetOptions,
  index: number,
): Promise<SimulatedDevice> {
  const serialNumber = serialNumberFor(options.runId, index);
  const emulator = new Atecc608aEmulator();
  const chip = new Atecc608a(emulator);
  let provisioned: Awaited<ReturnType<typeof provisionDevice>>;
  try {
    provisioned = await provisionDevice(client, chip, { serialNumber, model: SIMULATED_MODEL });
  } catch (error) {
    if (error instanceof FactoryError && error.deviceId) options.registered.add(error.deviceId);
    throw error;
  }
  options.registered.add(provisioned.deviceId);
  await client.claim(provisioned.deviceId, options.siteId);
  await client.activate(provisioned.deviceId);
  return {
    serialNumber,
    deviceId: provisioned.deviceId,
    certificateChainPem: provisioned.certificateChainPem,
    tlsKey: emulator.keyForSimulatedTls(IDENTITY_KEY_SLOT),
    chip,
  };
}

export interface DecommissionResult {
  decommissioned: number;
  failures: Array<{ deviceId: string; error: Error }>;
}

/** Decommissions every device (all of them are tried, whatever fails). */
export async function decommissionFleet(
  client: PlatformClient,
  deviceIds: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<DecommissionResult> {
  const result: DecommissionResult = { decommissioned: 0, failures: [] };
  await inParallel(deviceIds.length, CONCURRENCY, undefined, async (i) => {
    const deviceId = deviceIds[i] as string;
    try {
      await client.decommission(deviceId);
      result.decommissioned += 1;
    } catch (error) {
      result.failures.push({ deviceId, error: error instanceof Error ? error : new Error(String(error)) });
    }
    onProgress?.(result.decommissioned + result.failures.length, deviceIds.length);
  });
  return result;
}

/**
 * Runs `task(0..count-1)`, at most `limit` at once. After a task throws (or the signal fires) no new task
 * starts; the running ones finish, then the first error is thrown.
 */
async function inParallel(
  count: number,
  limit: number,
  signal: AbortSignal | undefined,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure && !signal?.aborted) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure) throw failure.error;
}
