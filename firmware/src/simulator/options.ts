/**
 * The simulator's command line: parsed and validated in one place, so that a bad value stops the run before
 * anything is registered on the platform (the CLI exits 2 with the message).
 */
import { parseArgs } from 'node:util';

export interface SimulatorOptions {
  devices: number;
  /** Telemetry messages per second across the whole fleet. */
  rate: number;
  apiUrl: string;
  issuer: string;
  brokerUrl: string;
  user: string;
  protocol: 4 | 5;
  /** The site to claim the devices into; undefined = the first site the user can read. */
  siteId: string | undefined;
  /** Seconds; undefined = until Ctrl-C. */
  durationSeconds: number | undefined;
  /** Leave the devices registered and active on exit. */
  keep: boolean;
}

export type ParsedCommandLine = { kind: 'run'; options: SimulatorOptions } | { kind: 'help' };

export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** Limits that keep one process sane: each device is a TLS connection; aedes tops out near 15–29k msg/s. */
export const LIMITS = { devices: 10_000, rate: 100_000, durationSeconds: 7 * 24 * 3600 } as const;

export const DEFAULTS = {
  devices: 10,
  rate: 10,
  api: 'http://localhost:4000/api',
  issuer: 'http://localhost:4001/realms/custos',
  broker: 'mqtts://localhost:8883',
  user: 'tenant-admin',
  protocol: '4',
} as const;

export const USAGE = `usage: npm run simulate -- [options]

Provisions a fleet of simulated devices (each with its own emulated ATECC608A) on a running platform,
claims and activates them, connects each over MQTT with mutual TLS and publishes CX-Temp 2 telemetry.
Ctrl-C stops the devices and decommissions them (unless --keep).

  --devices N      devices to simulate (default ${DEFAULTS.devices}, at most ${LIMITS.devices})
  --rate R         telemetry messages per second across the fleet (default ${DEFAULTS.rate})
  --duration S     stop after S seconds (default: until Ctrl-C)
  --api URL        platform API (default ${DEFAULTS.api})
  --issuer URL     identity provider issuer (default ${DEFAULTS.issuer})
  --broker URL     MQTT broker, mqtts:// (default ${DEFAULTS.broker})
  --protocol 4|5   MQTT 3.1.1 or 5 (default ${DEFAULTS.protocol}; the embedded broker speaks 4 only)
  --user NAME      demo user who registers the devices (default ${DEFAULTS.user}; password from
                   IDP_PASSWORD, else the demo password)
  --site ID        site to claim the devices into (default: the first site the user can read)
  --keep           leave the devices registered and active on exit
  -h, --help       this text
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses argv (without `node` and the script); throws `OptionsError` with a message for a person. */
export function parseOptions(argv: readonly string[]): ParsedCommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        devices: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        api: { type: 'string' },
        issuer: { type: 'string' },
        broker: { type: 'string' },
        protocol: { type: 'string' },
        user: { type: 'string' },
        site: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // node:util's messages name the option already ("Unknown option '--foo'"); keep their first sentence,
    // not the hints about `--` that make sense for other programs.
    const first = (error as Error).message.split(/\.\s|\n/)[0] ?? String(error);
    throw new OptionsError(
      first.includes('ambiguous') ? `${first}: no option takes a value starting with "-"` : first,
    );
  }
  if (values.help) return { kind: 'help' };
  const text = (name: string, fallback?: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : fallback;
  };

  const duration = text('duration');
  return {
    kind: 'run',
    options: {
      devices: integer('--devices', text('devices', String(DEFAULTS.devices)) as string, 1, LIMITS.devices),
      rate: positive('--rate', text('rate', String(DEFAULTS.rate)) as string, LIMITS.rate),
      durationSeconds:
        duration === undefined ? undefined : positive('--duration', duration, LIMITS.durationSeconds),
      apiUrl: url('--api', text('api', DEFAULTS.api) as string, ['http:', 'https:']),
      issuer: url('--issuer', text('issuer', DEFAULTS.issuer) as string, ['http:', 'https:']),
      brokerUrl: url('--broker', text('broker', DEFAULTS.broker) as string, ['mqtts:']),
      protocol: protocol(text('protocol', DEFAULTS.protocol) as string),
      user: nonEmpty('--user', text('user', DEFAULTS.user) as string),
      siteId: site(text('site')),
      keep: values.keep === true,
    },
  };
}

function number(name: string, raw: string): number {
  // Number('') is 0 and Number('1e3') is 1000: accept only plain decimals.
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new OptionsError(`${name} must be a number, got "${raw}"`);
  return Number(raw);
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = number(name, raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function positive(name: string, raw: string, max: number): number {
  const value = number(name, raw);
  if (value <= 0 || value > max)
    throw new OptionsError(`${name} must be above 0 and at most ${max}, got "${raw}"`);
  return value;
}

function url(name: string, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new OptionsError(`${name} must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    const allowed = protocols.map((p) => `${p}//`).join(' or ');
    throw new OptionsError(`${name} must be a ${allowed} URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function protocol(raw: string): 4 | 5 {
  if (raw === '4' || raw === '5') return Number(raw) as 4 | 5;
  throw new OptionsError(`--protocol must be 4 (MQTT 3.1.1) or 5, got "${raw}"`);
}

function nonEmpty(name: string, raw: string): string {
  if (raw.trim() === '') throw new OptionsError(`${name} must not be empty`);
  return raw.trim();
}

function site(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!UUID.test(raw)) throw new OptionsError(`--site must be a site id (a UUID), got "${raw}"`);
  return raw.toLowerCase();
}
