/**
 * Helpers for the fulfilment tests: requests filed straight into the database (the workflow has its
 * own tests), telemetry in daily partitions, a job context that records progress, the stored bundle
 * read back and unzipped, and a strict RFC 4180 CSV reader.
 */
import { randomInt } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { sql } from 'slonik';
import { z } from 'zod';
import type { JobProgress } from '../../backend/src/core/jobs/job-queue.js';
import type {
  FulfilmentContext,
  FulfilmentRequest,
  RequestType,
} from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import type { TestApp } from '../support/test-app.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const block = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export interface FiledRequest {
  tenantId: string;
  type: RequestType;
  patientId?: string | null;
  userId?: string | null;
  status?: string;
  contactEmail?: string;
  details?: string | null;
  rectification?: Record<string, unknown> | null;
  objectionPurposes?: string[];
}

/** A verified request, as the workflow leaves it before fulfilment; returns what `fulfil` takes. */
export async function fileRequest(
  t: TestApp,
  request: FiledRequest,
): Promise<FulfilmentRequest & { reference: string }> {
  const reference = `DSR-${block()}-${block()}`;
  const id = await t.adminPool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO privacy_requests (tenant_id, reference, type, status, jurisdiction, due_at, contact_email,
                                  contact_verified_at, details, rectification, objection_purposes,
                                  subject_patient_id, subject_user_id, identity_method, identity_verified_at,
                                  access_token_sha256)
    VALUES (${request.tenantId}, ${reference}, ${request.type}, ${request.status ?? 'in-progress'}, 'gdpr',
            now() + interval '30 days', ${request.contactEmail ?? 'person@example.org'}, now(),
            ${request.details ?? null}, ${request.rectification ? sql.jsonb(request.rectification as never) : null},
            ${sql.array(request.objectionPurposes ?? [], 'text')}, ${request.patientId ?? null}, ${request.userId ?? null},
            'officer', now(), ${'ab'.repeat(32)})
    RETURNING id`);
  return {
    id,
    reference,
    tenantId: request.tenantId,
    type: request.type,
    subjectPatientId: request.patientId ?? null,
    subjectUserId: request.userId ?? null,
    rectification: request.rectification ?? null,
    objectionPurposes: request.objectionPurposes ?? [],
  };
}

/** A job context that remembers every progress report. */
export function jobContext(
  signal = new AbortController().signal,
): FulfilmentContext & { reports: JobProgress[] } {
  const reports: JobProgress[] = [];
  return {
    reports,
    signal,
    async progress(report) {
      reports.push(report);
    },
  };
}

/** Telemetry rows of a device, `count` points a minute apart from `start`, in their daily partitions. */
export async function addTelemetry(
  t: TestApp,
  device: { id: string; tenantId: string },
  patientId: string | null,
  start: string,
  count: number,
  firstSeq = 0,
): Promise<void> {
  await t.adminPool.query(sql.unsafe`
    SELECT telemetry_ensure_partition(d::date)
    FROM generate_series(${start}::timestamptz, ${start}::timestamptz + ${count} * interval '1 minute', interval '1 day') d`);
  await t.adminPool.query(sql.unsafe`
    SELECT telemetry_ensure_partition((${start}::timestamptz + ${count} * interval '1 minute')::date)`);
  await t.adminPool.query(sql.unsafe`
    INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, patient_id, metrics)
    SELECT ${device.id}, ${start}::timestamptz + i * interval '1 minute', ${firstSeq} + i, ${device.tenantId},
           ${patientId}, jsonb_build_object('heartRate', 60 + i % 40, 'spo2', 95 + i % 5)
    FROM generate_series(0, ${count} - 1) i`);
}

/** The stored bundle of a request, its parts in order. */
export async function storedBundle(
  t: TestApp,
  requestId: string,
): Promise<{ bytes: Buffer; parts: number[] }> {
  const rows = await t.adminPool.any(sql.type(z.object({ part: z.number(), data: z.instanceof(Buffer) }))`
    SELECT part, data FROM privacy_request_files WHERE request_id = ${requestId} ORDER BY part`);
  return { bytes: Buffer.concat(rows.map((r) => r.data)), parts: rows.map((r) => r.data.length) };
}

/** The entries of a zip archive (central directory, deflate or stored; ZIP64 sizes read from the extra field). */
export function unzip(archive: Buffer): Map<string, Buffer> {
  const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = archive.readUInt16LE(at + 10);
    let compressed = archive.readUInt32LE(at + 20);
    let size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    let offset = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const extra = archive.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        // ZIP64: the 8-byte values of the fields that read 0xffffffff, in this order.
        let f = e + 4;
        const next = () => {
          const value = Number(extra.readBigUInt64LE(f));
          f += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (offset === 0xffffffff) offset = next();
      }
      e += 4 + length;
    }
    const local = offset + 30 + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
    const data = archive.subarray(local, local + compressed);
    const content = method === 8 ? inflateRawSync(data) : Buffer.from(data);
    if (content.length !== size) throw new Error(`entry ${name}: ${content.length} bytes, expected ${size}`);
    files.set(name, content);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** Parses CSV strictly as RFC 4180 (CRLF records, quoted fields with doubled quotes); throws on anything else. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i += 1;
          break;
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') i += 1;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (record.length > 0) records.push(record);
  return records;
}
