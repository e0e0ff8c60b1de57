/**
 * The live chart's data, kept apart from React and uPlot so it can be tested alone: points arrive
 * one by one (possibly out of order or repeated), the window keeps the newest `capacity`, and the
 * summary gives each numeric metric's latest, lowest and highest value (the chart's text
 * alternative).
 */
export interface LivePoint {
  measuredAt: string;
  seq: number;
  metrics: Record<string, number | boolean>;
}

export interface MetricSummary {
  metric: string;
  latest: number;
  min: number;
  max: number;
}

export class LiveSeries {
  private readonly points: LivePoint[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 300) {}

  /** Adds a point in time order; false if it was a repeat. */
  add(point: LivePoint): boolean {
    const key = `${point.measuredAt}|${point.seq}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const at = Date.parse(point.measuredAt);
    let index = this.points.length;
    while (index > 0 && Date.parse((this.points[index - 1] as LivePoint).measuredAt) > at) index--;
    this.points.splice(index, 0, point);
    while (this.points.length > this.capacity) {
      const dropped = this.points.shift() as LivePoint;
      this.seen.delete(`${dropped.measuredAt}|${dropped.seq}`);
    }
    return true;
  }

  get size(): number {
    return this.points.length;
  }

  /** The numeric metrics seen, in first-seen order. */
  metrics(): string[] {
    const names: string[] = [];
    for (const point of this.points) {
      for (const [name, value] of Object.entries(point.metrics)) {
        if (typeof value === 'number' && !names.includes(name)) names.push(name);
      }
    }
    return names;
  }

  /** uPlot's data: seconds since 1970, then one array per metric (null where a point lacks it). */
  columns(metrics: readonly string[]): [number[], ...(number | null)[][]] {
    const times = this.points.map((p) => Date.parse(p.measuredAt) / 1000);
    const series = metrics.map((metric) =>
      this.points.map((p) => (typeof p.metrics[metric] === 'number' ? (p.metrics[metric] as number) : null)),
    );
    return [times, ...series];
  }

  summary(): MetricSummary[] {
    return this.metrics().map((metric) => {
      const values = this.points
        .map((p) => p.metrics[metric])
        .filter((v): v is number => typeof v === 'number');
      return {
        metric,
        latest: values[values.length - 1] as number,
        min: Math.min(...values),
        max: Math.max(...values),
      };
    });
  }
}
