/**
 * The live channel's endpoint: WebSocket upgrades of GET /api/v1/live, authenticated like every
 * API request (bearer token, optional purpose of use) and held to the same policies: a viewer
 * watches a device only if they may read it, and sees a patient's points only if they may see that
 * patient link. The socket closes when its token expires (code 4001); the client reconnects with a
 * fresh one. Anything malformed gets an error message, never a crash.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { readDraft } from '../../core/audit/change-events.js';
import { bearerToken, PURPOSE_HEADER, purposeOf } from '../../core/auth/auth.guard.js';
import { SubjectDirectory } from '../../core/auth/subject-directory.js';
import { TokenVerifier } from '../../core/auth/token-verifier.js';
import { Actor } from '../../core/authz/actor.js';
import { AuthzService } from '../../core/authz/authz.service.js';
import { APP_LOGGER } from '../../core/core.tokens.js';
import { DevicesRepository } from '../devices/devices.repository.js';
import { deviceModels } from '../telemetry/device-models.js';
import { LiveHub, type Viewer } from './live-hub.js';
import { MAX_WATCHED_DEVICES, parseClientMessage } from './live-protocol.js';

export const LIVE_PATH = '/api/v1/live';
const TOKEN_EXPIRED = 4001;

@Injectable()
export class LiveGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(SubjectDirectory) private readonly directory: SubjectDirectory,
    @Inject(AuthzService) private readonly authz: AuthzService,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(LiveHub) private readonly hub: LiveHub,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? '/', 'http://local').pathname !== LIVE_PATH) return;
      void this.upgrade(request, socket, head);
    });
  }

  /**
   * Says goodbye (1001, going away: the web app reconnects, to another instance), then cuts what
   * has not closed within a second: ws would otherwise wait up to 30 s for each TCP close. Before
   * the HTTP server closes, which waits for every socket it accepted, upgraded ones included.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const socket of this.sockets.clients) socket.close(1001, 'shutting down');
    const closed = new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    const late = setTimeout(() => {
      for (const socket of this.sockets.clients) socket.terminate();
    }, 1000);
    await closed;
    clearTimeout(late);
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let actor: Actor;
    let expiresAt: number | undefined;
    try {
      const token = bearerToken(request.headers.authorization);
      const claims = await this.verifier.verify(token);
      const principal = await this.directory.resolve(claims);
      const purpose = purposeOf(request.headers[PURPOSE_HEADER]);
      const context = purpose ? { purpose } : {};
      actor = new Actor(principal, context, this.authz.abilityFor(principal, context), {
        requestId: randomUUID(),
        ip: request.socket.remoteAddress ?? null,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
        method: 'GET',
        route: LIVE_PATH,
      });
      expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    } catch {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (ws) => this.serve(ws, actor, expiresAt));
  }

  private serve(ws: WebSocket, actor: Actor, expiresAt: number | undefined): void {
    const watching = new Set<string>();
    const viewer: Viewer = {
      actor,
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    };
    this.hub.connections.inc();
    const expiry =
      expiresAt !== undefined
        ? setTimeout(() => ws.close(TOKEN_EXPIRED, 'token_expired'), Math.max(0, expiresAt - Date.now()))
        : undefined;
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? undefined : parseClientMessage(data.toString());
      if (!message) return viewer.send({ type: 'error', code: 'invalid_message' });
      if (message.type === 'unwatch') {
        watching.delete(message.deviceId);
        return this.hub.remove(viewer, message.deviceId);
      }
      if (watching.has(message.deviceId)) return;
      if (watching.size >= MAX_WATCHED_DEVICES) {
        return viewer.send({ type: 'error', code: 'too_many_devices', deviceId: message.deviceId });
      }
      void this.watch(viewer, message.deviceId, watching);
    });
    ws.on('close', () => {
      clearTimeout(expiry);
      this.hub.connections.dec();
      for (const deviceId of watching) this.hub.remove(viewer, deviceId);
      watching.clear();
    });
    ws.on('error', () => ws.terminate());
  }

  private async watch(viewer: Viewer, deviceId: string, watching: Set<string>): Promise<void> {
    try {
      const device = await this.devices.findOne(deviceId, viewer.actor.condition('read', 'Device'));
      if (!device) return viewer.send({ type: 'error', code: 'not_found', deviceId });
      watching.add(deviceId);
      this.hub.add(viewer, device);
      const metrics = deviceModels[device.model]?.metrics ?? {};
      const units = Object.fromEntries(
        Object.entries(metrics).flatMap(([name, m]) => (m.type === 'number' ? [[name, m.unit]] : [])),
      );
      viewer.send({ type: 'watching', deviceId, model: device.model, units });
      // Watching a patient's device live is a disclosure of their health data, as a read is.
      const visible = viewer.actor.visible('Device', device);
      if (device.patientId && 'patientId' in visible) {
        await this.audit.recordDurably(
          viewer.actor,
          readDraft('device.telemetry_read', 'Device', [device.id], device.tenantId, {
            kind: 'patient',
            tenantId: device.tenantId,
            id: device.patientId,
          }),
        );
      }
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'live watch failed');
      viewer.send({ type: 'error', code: 'unavailable', deviceId });
    }
  }
}
