/**
 * How a request is shown: to the officer's API (the policy's field filter, then the derived
 * fields), and to the requester on the status page (their own request, never other people's data).
 * Also the stored bundle of an access or portability request, streamed part by part.
 */
import { Readable } from 'node:stream';
import { loadPrivacyDeclarations } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { RequestHistoryRepository } from './request-history.repository.js';
import { openStatuses } from './request-states.js';
import type { RequestResult } from './requests.dto.js';
import type { PrivacyRequestRecord } from './requests.repository.js';

/** How long a bundle is kept (the retention schedule privacy.request-files), so the page can say until when. */
const FILE_DAYS =
  loadPrivacyDeclarations().schedules.find((s) => s.id === 'privacy.request-files')?.days ?? 30;
const DAY_MS = 86_400_000;

export function effectiveDueAt(request: Pick<PrivacyRequestRecord, 'dueAt' | 'extendedDueAt'>): string {
  return request.extendedDueAt ?? request.dueAt;
}

export function isOverdue(request: PrivacyRequestRecord, now = Date.now()): boolean {
  return openStatuses.includes(request.status) && new Date(effectiveDueAt(request)).getTime() < now;
}

/** The request as this actor may see it, with its deadline facts. */
export function officerView(actor: Actor, request: PrivacyRequestRecord) {
  return {
    ...actor.visible('PrivacyRequest', request),
    effectiveDueAt: effectiveDueAt(request),
    overdue: isOverdue(request),
  };
}

interface OutcomeFile {
  name: string;
  contentType: string;
}

/** The bundle's name and type, as fulfilment recorded them; null when the request produced none. */
export function outcomeFile(request: PrivacyRequestRecord): OutcomeFile | null {
  const file = request.outcome?.file as { name?: unknown; contentType?: unknown } | undefined;
  if (!file || request.status !== 'completed') return null;
  const name =
    typeof file.name === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(file.name)
      ? file.name
      : `${request.reference}.zip`;
  const contentType =
    typeof file.contentType === 'string' && /^[a-z]+\/[a-z0-9.+-]+$/.test(file.contentType)
      ? file.contentType
      : 'application/zip';
  return { name, contentType };
}

@Injectable()
export class RequestViews {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RequestHistoryRepository) private readonly history: RequestHistoryRepository,
  ) {}

  historyOf(request: PrivacyRequestRecord) {
    return this.history.list(request.id, this.db.pool);
  }

  /** Whether the bundle can be downloaded, its size and until when; null for requests that make none. */
  async result(request: PrivacyRequestRecord): Promise<RequestResult> {
    if (!outcomeFile(request)) return null;
    const info = await this.history.fileInfo(request.id, this.db.pool);
    const storedAt = info.createdAt ?? request.completedAt ?? request.updatedAt;
    return {
      available: info.parts > 0,
      bytes:
        info.parts > 0
          ? info.bytes
          : Number((request.outcome?.file as { bytes?: number } | undefined)?.bytes ?? 0),
      expiresAt: new Date(new Date(storedAt).getTime() + FILE_DAYS * DAY_MS).toISOString(),
    };
  }

  /** What the requester's status page shows. */
  async forRequester(request: PrivacyRequestRecord) {
    const kept = Array.isArray(request.outcome?.kept)
      ? (request.outcome.kept as Array<{ table?: unknown; reason?: unknown }>)
      : [];
    return {
      reference: request.reference,
      type: request.type,
      status: request.status,
      jurisdiction: request.jurisdiction,
      receivedAt: request.receivedAt,
      dueAt: request.dueAt,
      extendedDueAt: request.extendedDueAt,
      history: await this.historyOf(request),
      result: await this.result(request),
      kept: kept.map((k) => ({ table: String(k.table), reason: String(k.reason) })),
      ...(request.status === 'rejected' ? { rejectionReason: request.rejectionReason } : {}),
    };
  }

  /** The bundle as a stream of its stored parts, read one at a time (1 MiB each). */
  fileStream(request: PrivacyRequestRecord): Readable {
    const { history, db } = this;
    return Readable.from(
      (async function* parts() {
        for (let part = 0; ; part++) {
          const data = await history.filePart(request.id, part, db.pool);
          if (!data) return;
          yield data;
        }
      })(),
    );
  }
}
