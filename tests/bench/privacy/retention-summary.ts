/**
 * The retention section's table and JSON: per expired day, the drop and its WAL; the day a legal
 * hold kept, trimmed in batches; the dry run against the real run; the second run.
 */
import type { runOnce } from './retention.ts';
import type { BenchContext, TableRow } from './section.ts';

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

type Report = Awaited<ReturnType<typeof runOnce>>;

export interface UnitMeasure {
  unit: string;
  ms: number;
  walBytes: number;
}

export function summarise(input: {
  ctx: BenchContext;
  perDay: number;
  generated: { rows: number; seconds: number };
  heldDay: string;
  dry: { value: Report; seconds: number };
  real: { value: Report; seconds: number };
  again: { value: Report; seconds: number };
  measures: UnitMeasure[];
}) {
  const { real, dry, again, measures, heldDay, perDay } = input;
  const byUnit = new Map(measures.map((m) => [m.unit, m]));
  const partitions = real.value.partitions.map((p) => {
    const unit = byUnit.get(`telemetry:${p.day}`);
    return {
      day: p.day,
      outcome: p.outcome,
      rows: p.rows,
      held: p.held,
      ms: round(p.ms, 2),
      unitMs: round(unit?.ms ?? 0),
      walBytes: unit?.walBytes ?? 0,
    };
  });
  const dropped = partitions.filter((p) => p.outcome === 'dropped');
  const held = partitions.find((p) => p.day === heldDay);
  const dropMs = dropped.map((p) => p.ms);
  const maxDrop = Math.max(...dropMs);
  const dropWal = dropped.map((p) => p.walBytes);
  const same = JSON.stringify(dry.value.tenants) === JSON.stringify(real.value.tenants);
  const deletedPerSecond = held ? held.rows / (held.unitMs / 1000) : Number.NaN;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const table: TableRow[] = [
    {
      measurement: `telemetry generated: ${fmt(input.generated.rows)} rows in ${input.ctx.settings.days} daily partitions`,
      measured: `${round(input.generated.seconds)} s`,
      target: '',
      result: '',
    },
    {
      measurement: 'dry run (counts only)',
      measured: `${round(dry.seconds, 2)} s, ${fmt(dry.value.totals.rows)} rows`,
      target: 'same counts as the real run',
      result: same ? 'pass' : 'FAIL',
    },
    {
      measurement: 'real run',
      measured: `${round(real.seconds, 2)} s, ${fmt(real.value.totals.rows)} rows removed`,
      target: '',
      result: '',
    },
    {
      measurement: `  dropped partitions (${dropped.length}, ~${fmt(perDay)} rows each): DETACH + DROP, median / max`,
      measured: `${round(median(dropMs), 1)} / ${round(maxDrop, 1)} ms`,
      target: '< 100 ms each',
      result: dropped.length > 0 && maxDrop < 100 ? 'pass' : 'FAIL',
    },
    {
      measurement: '  whole day (count for the receipt + drop), median',
      measured: `${round(median(dropped.map((p) => p.unitMs)))} ms`,
      target: '',
      result: '',
    },
    {
      measurement: '  WAL per dropped partition, median / max',
      measured: `${round(median(dropWal) / 1024)} / ${round(Math.max(...dropWal) / 1024)} KB`,
      target: '',
      result: '',
    },
    {
      measurement: `  held day ${heldDay}: batched delete (batches of ${input.ctx.settings.batchSize})`,
      measured: held
        ? `${fmt(held.rows)} rows in ${fmt(held.unitMs)} ms (${fmt(deletedPerSecond)} rows/s), ${held.held} kept`
        : '-',
      target: 'held rows kept',
      result: held && held.held === 1000 ? 'pass' : 'FAIL',
    },
    {
      measurement: '  WAL of the batched delete vs one drop',
      measured: held
        ? `${round(held.walBytes / 1024 / 1024)} MB vs ${round(median(dropWal) / 1024)} KB`
        : '-',
      target: '',
      result: '',
    },
    {
      measurement: 'second run right after',
      measured: `${round(again.seconds, 2)} s, ${fmt(again.value.totals.rows)} rows removed`,
      target: '0 rows',
      result: again.value.totals.rows === 0 ? 'pass' : 'FAIL',
    },
  ];
  return {
    table,
    json: {
      rows: input.generated.rows,
      rowsPerDay: perDay,
      generateSeconds: round(input.generated.seconds, 2),
      dryRun: { seconds: round(dry.seconds, 3), rows: dry.value.totals.rows, sameCountsAsRealRun: same },
      realRun: { seconds: round(real.seconds, 3), totals: real.value.totals },
      secondRun: { seconds: round(again.seconds, 3), totals: again.value.totals },
      partitions,
      dropped: {
        count: dropped.length,
        medianMs: median(dropMs),
        maxMs: maxDrop,
        medianWalBytes: median(dropWal),
      },
      heldDay: held ?? null,
      targets: {
        dropUnder100Ms: dropped.length > 0 && maxDrop < 100,
        dryRunMatches: same,
        secondRunRemovesNothing: again.value.totals.rows === 0,
      },
    },
  };
}
