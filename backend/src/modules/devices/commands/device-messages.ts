/**
 * The two device → platform messages besides telemetry, parsed without ever throwing:
 * `devices/{id}/commands/ack` `{"id", "status": "acknowledged" | "rejected" | "failed", "result"?, "error"?}`
 * and `devices/{id}/state` `{"online": boolean, "reported"?: {...}}` (retained; the last will
 * publishes `{"online": false}`).
 */
import { z } from 'zod';

const MAX_BYTES = 16 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOPIC = /^devices\/([^/]+)\/(?:state|commands\/ack)$/;

const ack = z.object({
  id: z.string().regex(UUID),
  status: z.enum(['acknowledged', 'rejected', 'failed']),
  result: z.unknown().optional(),
  error: z.string().max(64).optional(),
});
export type CommandAck = z.infer<typeof ack>;

const state = z.object({
  online: z.boolean(),
  reported: z.record(z.string(), z.unknown()).optional(),
});
export type StateReport = z.infer<typeof state>;

export function deviceOf(topic: string): string | undefined {
  const id = TOPIC.exec(topic)?.[1];
  return id && UUID.test(id) ? id : undefined;
}

function parse<T>(schema: z.ZodType<T>, payload: Buffer): T | undefined {
  if (payload.length > MAX_BYTES) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(payload.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const parseAck = (payload: Buffer) => parse(ack, payload);
export const parseState = (payload: Buffer) => parse(state, payload);
