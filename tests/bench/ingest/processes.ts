/**
 * Who uses the two cores: CPU seconds and resident memory of the benchmark's processes, read from
 * /proc (what `ps` shows, sampled precisely). Linux only; elsewhere every figure is null.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const USER_HZ = 100;

async function stat(pid: number): Promise<string[] | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // Fields after "(comm)": state(3) ppid(4) … utime(14) stime(15), so index = field − 3.
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) that `pid` has used so far. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  const fields = await stat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / USER_HZ : null;
}

/**
 * CPU seconds of the PostgreSQL server of `dataDir`: the postmaster, the processes it runs now, and
 * those that have exited (autovacuum workers, closed connections), which the kernel adds to the
 * postmaster's children's time (cutime, cstime) once it has waited for them.
 */
export async function postgresCpuSeconds(dataDir: string): Promise<number | null> {
  const postmaster = Number(
    (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
  );
  if (!postmaster) return null;
  let ticks = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await stat(Number(entry));
    if (!fields) continue;
    if (Number(entry) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } else if (Number(fields[1]) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / USER_HZ;
}

/** Machine-wide busy and total CPU seconds (all cores), from /proc/stat. */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number } | null> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  if (values.length < 5) return null;
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / USER_HZ, total: total / USER_HZ };
}

/** Resident set size of `pid` in MB (VmRSS), or null once it has exited. */
export async function rssMb(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kb = status?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : null;
}

export type CpuSource = () => Promise<number | null>;

/**
 * CPU used by each named source between the call and the call of the function it returns, as cores
 * (1.0 = one core busy the whole time), plus the machine as a whole and what else ran on it.
 */
export async function cpuMeter(sources: Record<string, CpuSource>) {
  const read = async () => {
    const values: Record<string, number | null> = {};
    for (const [name, source] of Object.entries(sources)) values[name] = await source();
    return { values, machine: await machineCpuSeconds(), at: performance.now() };
  };
  const before = await read();
  return async (): Promise<Record<string, number | null>> => {
    const after = await read();
    const seconds = (after.at - before.at) / 1000;
    const cores: Record<string, number | null> = {};
    for (const name of Object.keys(sources)) {
      const a = before.values[name];
      const b = after.values[name];
      cores[name] =
        a === null || b === null || a === undefined || b === undefined ? null : round2((b - a) / seconds);
    }
    cores.machine =
      before.machine && after.machine ? round2((after.machine.busy - before.machine.busy) / seconds) : null;
    // Whatever else ran on the machine meanwhile (other users' builds and tests, the kernel).
    const ours = Object.keys(sources).reduce((sum, name) => sum + (cores[name] ?? 0), 0);
    cores.others = cores.machine === null ? null : round2(Math.max(0, cores.machine - ours));
    return cores;
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Samples `pid`'s RSS every `intervalMs`: the peak and the last value seen. */
export function rssSampler(pid: () => number | undefined, intervalMs = 500) {
  let peak = 0;
  let last: number | null = null;
  const timer = setInterval(() => {
    const current = pid();
    if (current === undefined) return;
    void rssMb(current).then((mb) => {
      if (mb === null) return;
      last = mb;
      peak = Math.max(peak, mb);
    });
  }, intervalMs);
  timer.unref();
  return {
    peak: () => peak,
    last: () => last,
    /** The peak so far, and a new peak from now on. */
    restart: () => {
      const previous = peak;
      peak = 0;
      return previous;
    },
    stop: () => clearInterval(timer),
  };
}
