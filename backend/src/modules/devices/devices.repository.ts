/** SQL of the device registry. Every read takes the caller's access condition, so rows the caller may not see are never fetched. */

import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../core/authz/condition-sql.js';
import { processingFlagsSql } from '../../core/authz/processing-flags.js';
import { Database, type Queryable } from '../../core/database/database.js';
import { keysetClauses, toPage } from '../../core/database/keyset.js';
import type { Cursor, Page } from '../../core/http/pagination.js';
import {
  type Device,
  dataCategories,
  type LifecycleState,
  type ListDevicesQuery,
  lifecycleStates,
} from './devices.dto.js';

const stateCountRow = z.object({ state: z.enum(lifecycleStates), count: z.number().int() });

// What the device's patient said about processing (restriction, objection, consent), derived when read.
const flags = processingFlagsSql({
  patient: sql.identifier(['d', 'patient_id']),
  tenant: sql.identifier(['d', 'tenant_id']),
});

export const deviceColumns: ColumnMap = {
  id: { column: 'd.id', type: 'uuid' },
  tenantId: { column: 'd.tenant_id', type: 'uuid' },
  siteId: { column: 'd.site_id', type: 'uuid' },
  serialNumber: { column: 'd.serial_number', type: 'text' },
  model: { column: 'd.model', type: 'text' },
  firmwareVersion: { column: 'd.firmware_version', type: 'text' },
  lifecycleState: { column: 'd.lifecycle_state', type: 'text' },
  patientId: { column: 'd.patient_id', type: 'uuid' },
  dataCategory: { column: 'd.data_category', type: 'text' },
  version: { column: 'd.version', type: 'int4' },
  processingRestricted: { expression: flags.processingRestricted, type: 'bool' },
  analyticsAllowed: { expression: flags.analyticsAllowed, type: 'bool' },
};

const deviceRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  site_id: z.uuid().nullable(),
  serial_number: z.string(),
  model: z.string(),
  firmware_version: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  lifecycle_state: z.enum(lifecycleStates),
  patient_id: z.uuid().nullable(),
  data_category: z.enum(dataCategories),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
  processing_restricted: z.boolean(),
  analytics_allowed: z.boolean(),
});
type DeviceRow = z.infer<typeof deviceRow>;
const deviceListRow = deviceRow.extend({ cursor_key: z.string() });

const selectColumns = sql.fragment`
  d.id, d.tenant_id, d.site_id, d.serial_number, d.model, d.firmware_version, d.labels, d.lifecycle_state,
  d.patient_id, d.data_category, d.created_at, d.updated_at, d.version,
  ${flags.processingRestricted} AS processing_restricted, ${flags.analyticsAllowed} AS analytics_allowed`;

const sortColumns = {
  serialNumber: 'serial_number',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;

export function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    siteId: row.site_id,
    serialNumber: row.serial_number,
    model: row.model,
    firmwareVersion: row.firmware_version,
    labels: row.labels,
    lifecycleState: row.lifecycle_state,
    patientId: row.patient_id,
    dataCategory: row.data_category,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    processingRestricted: row.processing_restricted,
    analyticsAllowed: row.analytics_allowed,
  };
}

export interface NewDevice {
  tenantId: string;
  serialNumber: string;
  model: string;
  firmwareVersion: string | null;
  labels: Record<string, string>;
  dataCategory: (typeof dataCategories)[number];
}

@Injectable()
export class DevicesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(access: Condition, query: ListDevicesQuery, cursor: Cursor | undefined): Promise<Page<Device>> {
    const keyset = keysetClauses({
      sortColumn: ['d', sortColumns[query.sort]],
      sortType: query.sort === 'serialNumber' ? 'text' : 'timestamptz',
      idColumn: ['d', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, deviceColumns), keyset.after];
    if (query.siteId) filters.push(sql.fragment`d.site_id = ${query.siteId}`);
    if (query.lifecycleState) filters.push(sql.fragment`d.lifecycle_state = ${query.lifecycleState}`);
    if (query.model) filters.push(sql.fragment`d.model = ${query.model}`);
    if (query.serialPrefix) filters.push(sql.fragment`starts_with(d.serial_number, ${query.serialPrefix})`);
    if (query.label) {
      const [key, ...rest] = query.label.split('=');
      filters.push(sql.fragment`d.labels @> ${sql.jsonb({ [key as string]: rest.join('=') })}`);
    }
    const rows = await this.db.pool.any(sql.type(deviceListRow)`
      SELECT ${selectColumns}, ${keyset.cursorKey}
      FROM devices d
      WHERE ${sql.join(filters, sql.fragment` AND `)}
      ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toDevice);
  }

  /** How many devices the caller may read are in each lifecycle state. */
  async countByState(access: Condition): Promise<Record<LifecycleState, number>> {
    const rows = await this.db.pool.any(sql.type(stateCountRow)`
      SELECT d.lifecycle_state AS state, count(*)::int AS count
      FROM devices d
      WHERE ${conditionToSql(access, deviceColumns)}
      GROUP BY d.lifecycle_state`);
    const counts = Object.fromEntries(lifecycleStates.map((state) => [state, 0])) as Record<
      LifecycleState,
      number
    >;
    for (const row of rows) counts[row.state] = row.count;
    return counts;
  }

  async findOne(
    id: string,
    access: Condition,
    db: Queryable = this.db.pool,
    lock = false,
  ): Promise<Device | null> {
    const row = await db.maybeOne(sql.type(deviceRow)`
      SELECT ${selectColumns} FROM devices d
      WHERE d.id = ${id} AND ${conditionToSql(access, deviceColumns)}
      ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
    return row ? toDevice(row) : null;
  }

  async insert(device: NewDevice, db: Queryable): Promise<Device> {
    const row = await db.one(sql.type(deviceRow)`
      INSERT INTO devices AS d (tenant_id, serial_number, model, firmware_version, labels, data_category)
      VALUES (${device.tenantId}, ${device.serialNumber}, ${device.model}, ${device.firmwareVersion},
              ${sql.jsonb(device.labels)}, ${device.dataCategory})
      RETURNING ${selectColumns}`);
    return toDevice(row);
  }

  /** Applies a change if the row still has `expectedVersion`; null when it does not (someone else changed it). */
  async update(
    id: string,
    expectedVersion: number,
    change: {
      model?: string;
      firmwareVersion?: string | null;
      labels?: Record<string, string>;
      lifecycleState?: LifecycleState;
      siteId?: string;
    },
    db: Queryable,
  ): Promise<Device | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = d.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    if (change.model !== undefined) sets.push(sql.fragment`model = ${change.model}`);
    if (change.firmwareVersion !== undefined)
      sets.push(sql.fragment`firmware_version = ${change.firmwareVersion}`);
    if (change.labels !== undefined) sets.push(sql.fragment`labels = ${sql.jsonb(change.labels)}`);
    if (change.lifecycleState !== undefined)
      sets.push(sql.fragment`lifecycle_state = ${change.lifecycleState}`);
    if (change.siteId !== undefined) sets.push(sql.fragment`site_id = ${change.siteId}`);
    const row = await db.maybeOne(sql.type(deviceRow)`
      UPDATE devices AS d SET ${sql.join(sets, sql.fragment`, `)}
      WHERE d.id = ${id} AND d.version = ${expectedVersion}
      RETURNING ${selectColumns}`);
    return row ? toDevice(row) : null;
  }
}
