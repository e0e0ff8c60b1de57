/** Schemas of the telemetry read API (validation and OpenAPI both come from here). */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });

export const telemetryQuery = z
  .strictObject({
    from: isoTime.optional().describe('Earliest measurement time (default: one hour before `to`)'),
    to: isoTime.optional().describe('Latest measurement time, exclusive (default: now)'),
    limit: z.coerce.number().int().min(1).max(5000).default(1000).describe('Most recent points returned'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: '`from` must be before `to`',
    path: ['from'],
  });
export type TelemetryQuery = z.infer<typeof telemetryQuery>;

export const telemetryPointSchema = z.object({
  measuredAt: z.string(),
  seq: z.number().int(),
  metrics: z.record(z.string(), z.union([z.number(), z.boolean()])),
});

export const telemetrySeriesSchema = z
  .object({
    deviceId: z.uuid(),
    model: z.string(),
    units: z.record(z.string(), z.string()).describe('Unit of each numeric metric of the model'),
    from: z.string(),
    to: z.string(),
    items: z.array(telemetryPointSchema).describe('Oldest first'),
    withheld: z
      .number()
      .int()
      .describe('Points in the range that are a patient’s health data the caller may not read'),
  })
  .describe('A device’s telemetry in a time range');
export type TelemetrySeries = z.infer<typeof telemetrySeriesSchema>;
