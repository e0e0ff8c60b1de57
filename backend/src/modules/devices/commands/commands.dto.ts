/** Schemas of device commands and device state (validation and OpenAPI both come from here). */
import { z } from 'zod';
import { uuidInput } from '../../../core/http/uuid.js';

export const commandStatuses = ['queued', 'delivered', 'acknowledged', 'failed', 'timed_out'] as const;
export type CommandStatus = (typeof commandStatuses)[number];

/** A JSON object of bounded size: it travels to the device in one MQTT message. */
const smallObject = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 4096, 'At most 4 KiB of JSON');

export const sendCommandBody = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'Lower-case letters, digits and _ . - (max 64)')
    .describe('The command, as the device knows it (e.g. `reboot`, `set-interval`)'),
  params: smallObject.optional().describe('Parameters the device receives with the command'),
  timeoutSeconds: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 3600)
    .default(300)
    .describe('After this long without an acknowledgement the command times out'),
});
export type SendCommandBody = z.infer<typeof sendCommandBody>;

export const commandParams = z.strictObject({ id: uuidInput, commandId: uuidInput });

export const commandSchema = z
  .object({
    id: z.uuid(),
    deviceId: z.uuid(),
    name: z.string(),
    params: z.record(z.string(), z.unknown()),
    status: z.enum(commandStatuses),
    requestedBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    deliveredAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    result: z.unknown().nullable(),
    error: z.string().nullable(),
  })
  .describe('A command and what became of it');
export type DeviceCommand = z.infer<typeof commandSchema>;

export const commandListSchema = z
  .object({ items: z.array(commandSchema) })
  .describe('The device’s most recent commands, newest first');

export const desiredStateBody = z.strictObject({
  desired: smallObject.describe('The state the device should take; sent to it as `set-desired-state`'),
});

export const deviceStateSchema = z
  .object({
    deviceId: z.uuid(),
    online: z.boolean(),
    reported: z.record(z.string(), z.unknown()),
    desired: z.record(z.string(), z.unknown()),
    reportedAt: z.string().nullable(),
    desiredAt: z.string().nullable(),
    onlineSince: z.string().nullable(),
    offlineSince: z.string().nullable(),
  })
  .describe('What the device last reported (its retained state message) and what is desired of it');
export type DeviceState = z.infer<typeof deviceStateSchema>;
