'use client';
/**
 * The device's telemetry as it arrives: a uPlot chart (loaded only when the page shows one), a
 * pause control, and a table with each metric's latest, lowest and highest value, which is the
 * chart's text alternative (a canvas says nothing to a screen reader). Fed by server-sent events
 * from /api/live/devices/{id}; strings come from the server as props (no i18n runtime here).
 */
import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
// uPlot positions its canvas layers with these rules (about 1 kB).
import 'uplot/dist/uPlot.min.css';
import { type LivePoint, LiveSeries, type MetricSummary } from './live-series';

export interface LiveChartText {
  heading: string;
  pause: string;
  resume: string;
  waiting: string;
  connected: string;
  reconnecting: string;
  chartLabel: string;
  tableCaption: string;
  metric: string;
  latest: string;
  lowest: string;
  highest: string;
}

type Status = 'connecting' | 'live' | 'reconnecting';

const HEIGHT = 240;

export function LiveChart({
  deviceId,
  locale,
  text,
  metricNames,
}: {
  deviceId: string;
  locale: string;
  text: LiveChartText;
  /** Translated names of the metrics the chart may show (others show their own name). */
  metricNames: Record<string, string>;
}) {
  const series = useRef(new LiveSeries());
  const units = useRef<Record<string, string>>({});
  const plot = useRef<uPlot | null>(null);
  const container = useRef<HTMLDivElement>(null);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  const redrawRef = useRef<() => void>(() => undefined);
  const [status, setStatus] = useState<Status>('connecting');
  const [summary, setSummary] = useState<MetricSummary[]>([]);

  useEffect(() => {
    const source = new EventSource(`/api/live/devices/${deviceId}`);
    let drawing = false;
    let dirty = false;
    const draw = async () => {
      const metrics = series.current.metrics();
      if (metrics.length === 0 || !container.current) return;
      const { default: UPlot } = await import('uplot');
      const data = series.current.columns(metrics) as uPlot.AlignedData;
      const names = metrics.join(',');
      if (
        !plot.current ||
        plot.current.series.length - 1 !== metrics.length ||
        plot.current.root.dataset.metrics !== names
      ) {
        plot.current?.destroy();
        plot.current = new UPlot(
          {
            width: container.current.clientWidth || 320,
            height: HEIGHT,
            legend: { show: false },
            series: [
              {},
              ...metrics.map((m, i) => ({ label: m, stroke: COLOURS[i % COLOURS.length], width: 2 })),
            ],
            axes: [{ stroke: '#444' }, { stroke: '#444' }],
          },
          data,
          container.current,
        );
        plot.current.root.dataset.metrics = names;
      } else plot.current.setData(data);
    };
    // The table (the text alternative) follows every point at once; the chart redraws once per
    // point too, except that points arriving while it draws (the first draw loads uPlot) are
    // drawn together right after, never dropped.
    const redraw = async () => {
      if (pausedRef.current) return;
      setSummary(series.current.summary());
      if (drawing) {
        dirty = true;
        return;
      }
      drawing = true;
      do {
        dirty = false;
        await draw();
      } while (dirty && !pausedRef.current);
      drawing = false;
    };
    redrawRef.current = () => void redraw();
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus('reconnecting');
    source.onmessage = (event) => {
      const message = JSON.parse(event.data) as { type: string; units?: Record<string, string> } & LivePoint;
      if (message.type === 'watching') units.current = message.units ?? {};
      if (message.type === 'telemetry' && series.current.add(message)) void redraw();
    };
    const resize = new ResizeObserver(() => {
      if (plot.current && container.current)
        plot.current.setSize({ width: container.current.clientWidth, height: HEIGHT });
    });
    if (container.current) resize.observe(container.current);
    return () => {
      source.close();
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [deviceId]);

  const toggle = () => {
    pausedRef.current = !pausedRef.current;
    setPaused(pausedRef.current);
    // Resumed: show what arrived while paused.
    if (!pausedRef.current) redrawRef.current();
  };
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const value = (metric: string, n: number) =>
    `${format.format(n)}${units.current[metric] ? ` ${units.current[metric]}` : ''}`;

  return (
    <section aria-labelledby="live-heading" className="card">
      <h2 id="live-heading">{text.heading}</h2>
      <p role="status" className="muted">
        {status === 'reconnecting' ? text.reconnecting : summary.length === 0 ? text.waiting : text.connected}
      </p>
      <button type="button" className="button secondary" aria-pressed={paused} onClick={toggle}>
        {paused ? text.resume : text.pause}
      </button>
      <div
        ref={container}
        role="img"
        aria-label={text.chartLabel}
        style={{ minBlockSize: HEIGHT }}
        className="live-chart"
      />
      {summary.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="live-caption" tabIndex={0}>
          <table>
            <caption id="live-caption">{text.tableCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{text.metric}</th>
                <th scope="col">{text.latest}</th>
                <th scope="col">{text.lowest}</th>
                <th scope="col">{text.highest}</th>
              </tr>
            </thead>
            <tbody>
              {summary.map((row) => (
                <tr key={row.metric}>
                  <th scope="row">{metricNames[row.metric] ?? row.metric}</th>
                  <td>{value(row.metric, row.latest)}</td>
                  <td>{value(row.metric, row.min)}</td>
                  <td>{value(row.metric, row.max)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

/** Distinguishable for common colour-vision deficiencies, with contrast on white (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'];
