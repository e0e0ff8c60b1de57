/**
 * The live chart's feed, through the backend-for-frontend: the server holds a WebSocket to the
 * API's live channel with the user's token and relays what it pushes as server-sent events. The
 * browser never talks to the API (ADR 0016). When the API closes the socket (the token expired),
 * the stream ends and the browser's EventSource reconnects, with the session renewed on the way.
 */
import type { NextRequest } from 'next/server';
import { apiUrl, currentSession } from '@/features/api/api-client';
import { problemResponse } from '@/features/api/problem-response';

export const dynamic = 'force-dynamic';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEARTBEAT_MS = 15_000;

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) return problemResponse(404, 'not_found');
  const session = await currentSession();
  if (!session) return problemResponse(401, 'unauthenticated');

  const url = apiUrl('/v1/live');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const encoder = new TextEncoder();
  let socket: WebSocket | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      };
      // Node's WebSocket takes headers (an undici extension): the token never reaches the browser.
      socket = new WebSocket(url, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      } as unknown as string[]);
      socket.onopen = () => socket?.send(JSON.stringify({ type: 'watch', deviceId: id }));
      socket.onmessage = (event) => {
        controller.enqueue(encoder.encode(`data: ${String(event.data)}\n\n`));
      };
      socket.onerror = close;
      socket.onclose = close;
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(': keep-alive\n\n')), HEARTBEAT_MS);
      request.signal.addEventListener('abort', () => {
        socket?.close();
        close();
      });
    },
    cancel() {
      clearInterval(heartbeat);
      socket?.close();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
