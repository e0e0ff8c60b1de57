/**
 * The telemetry each device model sends: its metrics, their types, units and physical ranges.
 * Ingest validates every message against its device's model; a value outside its range is a
 * faulty sensor or a forged message, refused rather than stored. A new model is a new entry.
 */
import { z } from 'zod';

type Metric =
  | { type: 'number'; unit: string; min: number; max: number; required?: boolean }
  | { type: 'boolean'; required?: boolean };

export interface DeviceModel {
  description: string;
  metrics: Record<string, Metric>;
}

const battery: Metric = { type: 'number', unit: '%', min: 0, max: 100 };

export const deviceModels: Record<string, DeviceModel> = {
  'CX-Temp 2': {
    description: 'Room and fridge temperature/humidity sensor',
    metrics: {
      temperature: { type: 'number', unit: '°C', min: -40, max: 85, required: true },
      humidity: { type: 'number', unit: '%', min: 0, max: 100 },
      battery,
    },
  },
  'CX-Pulse 1': {
    description: 'Wearable pulse oximeter (health data when assigned to a patient)',
    metrics: {
      heartRate: { type: 'number', unit: 'bpm', min: 20, max: 300, required: true },
      spo2: { type: 'number', unit: '%', min: 50, max: 100 },
      battery,
    },
  },
  'ColdChain 5': {
    description: 'Pharma cold-chain container logger',
    metrics: {
      temperature: { type: 'number', unit: '°C', min: -90, max: 40, required: true },
      doorOpen: { type: 'boolean' },
      battery,
    },
  },
};

function metricSchema(metric: Metric): z.ZodType {
  const schema = metric.type === 'boolean' ? z.boolean() : z.number().min(metric.min).max(metric.max);
  return metric.required ? schema : schema.optional();
}

/** One strict schema per model: unknown metrics are refused too (they would be unvalidated data). */
export const metricsSchemas: ReadonlyMap<string, z.ZodType<Record<string, number | boolean>>> = new Map(
  Object.entries(deviceModels).map(([name, model]) => [
    name,
    z
      .strictObject(
        Object.fromEntries(Object.entries(model.metrics).map(([key, m]) => [key, metricSchema(m)])),
      )
      .refine((metrics) => Object.keys(metrics).length > 0, 'At least one metric') as z.ZodType<
      Record<string, number | boolean>
    >,
  ]),
);
