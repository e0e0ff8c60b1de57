/**
 * The live channel's messages (JSON over WebSocket at /api/v1/live). The web app's server holds the
 * socket for its users (the browser never talks to the API, ADR 0016).
 *
 * client → server: `{"type":"watch","deviceId"}`, `{"type":"unwatch","deviceId"}`
 * server → client: `{"type":"watching","deviceId","model","units"}`,
 *   `{"type":"telemetry","deviceId","measuredAt","seq","metrics"}`,
 *   `{"type":"state","deviceId","online","reported"}`,
 *   `{"type":"error","code","deviceId"?}` (`invalid_message`, `not_found`, `too_many_devices`,
 *   `token_expired`, `unavailable`)
 */
import { z } from 'zod';

export const MAX_WATCHED_DEVICES = 50;
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('watch'), deviceId: uuid }),
  z.strictObject({ type: z.literal('unwatch'), deviceId: uuid }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export function parseClientMessage(data: string): ClientMessage | undefined {
  if (data.length > MAX_CLIENT_MESSAGE_BYTES) return undefined;
  try {
    const parsed = clientMessage.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
