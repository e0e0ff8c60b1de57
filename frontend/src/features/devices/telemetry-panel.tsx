import { getFormatter, getTranslations } from 'next-intl/server';
import type { TelemetrySeries } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';

/** The device's latest measurements, newest first, each metric in its unit (as of loading the page). */
export async function TelemetryPanel({ series }: { series: TelemetrySeries | undefined }) {
  const t = await getTranslations('device.telemetry');
  const format = await getFormatter();
  const points = [...(series?.items ?? [])].reverse();
  // Columns: the model's metrics first (in its order), then any other metric a point carries.
  const metrics = [
    ...new Set([...Object.keys(series?.units ?? {}), ...points.flatMap((p) => Object.keys(p.metrics))]),
  ];
  const metricName = (metric: string) => {
    const key = `metrics.${metric}` as Parameters<typeof t>[0];
    return t.has(key) ? t(key) : metric;
  };
  const value = (metric: string, raw: number | boolean | undefined) => {
    if (raw === undefined) return '—';
    if (typeof raw === 'boolean') return raw ? t('yes') : t('no');
    const unit = series?.units[metric];
    const number = format.number(raw, { maximumFractionDigits: 2 });
    return unit ? `${number} ${unit}` : number;
  };
  return (
    <section aria-labelledby="telemetry-heading" className="card">
      <h2 id="telemetry-heading">{t('title')}</h2>
      {!series && <p>{t('hidden')}</p>}
      {series && points.length === 0 && <p>{t('none')}</p>}
      {series && series.withheld > 0 && <p>{t('withheld', { count: series.withheld })}</p>}
      {points.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="telemetry-caption" tabIndex={0}>
          <table>
            <caption id="telemetry-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('time')}</th>
                {metrics.map((metric) => (
                  <th key={metric} scope="col">
                    {metricName(metric)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((point) => (
                <tr key={`${point.seq}-${point.measuredAt}`}>
                  <th scope="row">
                    <DateTime value={point.measuredAt} />
                  </th>
                  {metrics.map((metric) => (
                    <td key={metric} className="number">
                      {value(metric, point.metrics[metric])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
