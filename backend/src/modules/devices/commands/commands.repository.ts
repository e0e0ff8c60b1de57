/** SQL for device commands and device state. */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../../../core/database/database.js';
import {
  type CommandStatus,
  commandSchema,
  type DeviceCommand,
  type DeviceState,
  deviceStateSchema,
} from './commands.dto.js';

/** A row is the API's command plus the tenant it belongs to (kept for audit events). */
const commandRow = commandSchema.extend({ tenantId: z.uuid() });
export type CommandRow = z.infer<typeof commandRow>;

const commandColumns = sql.fragment`
  id, device_id AS "deviceId", tenant_id AS "tenantId", name, params, status,
  requested_by AS "requestedBy", created_at AS "createdAt", expires_at AS "expiresAt",
  delivered_at AS "deliveredAt", completed_at AS "completedAt", result, error`;

export const toCommand = ({ tenantId: _tenant, ...command }: CommandRow): DeviceCommand => command;

@Injectable()
export class CommandsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(
    command: {
      deviceId: string;
      tenantId: string;
      name: string;
      params: object;
      requestedBy: string;
      timeoutSeconds: number;
    },
    db: Queryable = this.db.pool,
  ): Promise<CommandRow> {
    return db.one(sql.type(commandRow)`
      INSERT INTO device_commands (device_id, tenant_id, name, params, requested_by, expires_at)
      VALUES (${command.deviceId}, ${command.tenantId}, ${command.name}, ${sql.jsonb(command.params as never)},
              ${command.requestedBy}, now() + make_interval(secs => ${command.timeoutSeconds}))
      RETURNING ${commandColumns}`);
  }

  async markDelivered(id: string): Promise<void> {
    await this.db.pool.query(sql.unsafe`
      UPDATE device_commands SET status = 'delivered', delivered_at = now()
      WHERE id = ${id} AND status = 'queued'`);
  }

  /** Completes an open command of this device; null if there is none (unknown, other device, done). */
  async complete(
    deviceId: string,
    id: string,
    outcome: {
      status: Extract<CommandStatus, 'acknowledged' | 'failed'>;
      result: unknown;
      error: string | null;
    },
    db: Queryable,
  ): Promise<CommandRow | null> {
    return db.maybeOne(sql.type(commandRow)`
      UPDATE device_commands
      SET status = ${outcome.status}, completed_at = now(),
          result = ${outcome.result === undefined ? null : sql.jsonb(outcome.result as never)},
          error = ${outcome.error}
      WHERE id = ${id} AND device_id = ${deviceId} AND status IN ('queued', 'delivered')
      RETURNING ${commandColumns}`);
  }

  /** Times out every open command past its expiry; each row is taken by one instance only. */
  async timeOutExpired(db: Queryable): Promise<CommandRow[]> {
    return [
      ...(await db.any(sql.type(commandRow)`
        UPDATE device_commands SET status = 'timed_out', completed_at = now()
        WHERE id IN (
          SELECT id FROM device_commands
          WHERE status IN ('queued', 'delivered') AND expires_at <= now()
          ORDER BY expires_at LIMIT 500
          FOR UPDATE SKIP LOCKED)
        RETURNING ${commandColumns}`)),
    ];
  }

  /** Committed but never handed to the broker (it was unreachable), and still worth sending. */
  async undelivered(olderThanSeconds: number): Promise<CommandRow[]> {
    return [
      ...(await this.db.pool.any(sql.type(commandRow)`
        SELECT ${commandColumns} FROM device_commands
        WHERE status = 'queued' AND expires_at > now()
          AND created_at < now() - make_interval(secs => ${olderThanSeconds})
        ORDER BY created_at LIMIT 500`)),
    ];
  }

  async list(deviceId: string): Promise<CommandRow[]> {
    return [
      ...(await this.db.pool.any(sql.type(commandRow)`
        SELECT ${commandColumns} FROM device_commands WHERE device_id = ${deviceId}
        ORDER BY created_at DESC, id LIMIT 100`)),
    ];
  }

  async findOne(deviceId: string, id: string): Promise<CommandRow | null> {
    return this.db.pool.maybeOne(sql.type(commandRow)`
      SELECT ${commandColumns} FROM device_commands WHERE device_id = ${deviceId} AND id = ${id}`);
  }

  async state(deviceId: string): Promise<DeviceState | null> {
    return this.db.pool.maybeOne(sql.type(deviceStateSchema)`
      SELECT device_id AS "deviceId", online, reported, desired, reported_at AS "reportedAt",
             desired_at AS "desiredAt", online_since AS "onlineSince", offline_since AS "offlineSince"
      FROM device_state WHERE device_id = ${deviceId}`);
  }

  async setDesired(deviceId: string, tenantId: string, desired: object, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO device_state (device_id, tenant_id, desired, desired_at)
      VALUES (${deviceId}, ${tenantId}, ${sql.jsonb(desired as never)}, now())
      ON CONFLICT (device_id) DO UPDATE SET desired = EXCLUDED.desired, desired_at = now()`);
  }

  /**
   * Records a state message of a registered device; returns whether it was online before (null:
   * first report, or not a registered device when `tenantId` is null).
   */
  async report(
    deviceId: string,
    report: { online: boolean; reported?: object | undefined },
    db: Queryable,
  ): Promise<{ tenantId: string; wasOnline: boolean | null } | null> {
    // Two statements in the caller's transaction: the lock makes concurrent reports of one device
    // take turns, so each sees the state the previous one left.
    const before = await db.maybeOneFirst(sql.type(z.object({ online: z.boolean() }))`
      SELECT online FROM device_state WHERE device_id = ${deviceId} FOR UPDATE`);
    const tenantId = await db.maybeOneFirst(sql.type(z.object({ tenant_id: z.string() }))`
      INSERT INTO device_state AS s (device_id, tenant_id, online, reported, reported_at, online_since, offline_since)
      SELECT id, tenant_id, ${report.online}, ${sql.jsonb((report.reported ?? {}) as never)}, now(),
             CASE WHEN ${report.online} THEN now() END, CASE WHEN ${report.online} THEN NULL ELSE now() END
      FROM devices WHERE id = ${deviceId}
      ON CONFLICT (device_id) DO UPDATE SET
        online = EXCLUDED.online,
        reported = CASE WHEN ${report.reported === undefined} THEN s.reported ELSE EXCLUDED.reported END,
        reported_at = now(),
        online_since = CASE WHEN EXCLUDED.online AND NOT s.online THEN now() ELSE s.online_since END,
        offline_since = CASE WHEN NOT EXCLUDED.online AND s.online THEN now() ELSE s.offline_since END
      RETURNING s.tenant_id`);
    return tenantId === null ? null : { tenantId, wasOnline: before };
  }
}
