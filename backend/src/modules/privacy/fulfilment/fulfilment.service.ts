/**
 * What a data-subject request does to the data, through the data map (policies/privacy/data-map.yaml):
 * gather it (access, portability), correct it everywhere (rectification), flag it (restriction,
 * objection) or erase it (erasure). The request workflow (../requests) runs this in a job and records
 * the outcome; this service never changes the request's status itself.
 */
import { loadPrivacyDeclarations } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { SubjectErasure } from '../../../core/audit/subject-erasure.js';
import { SubjectVault } from '../../../core/audit/subject-vault.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { Database } from '../../../core/database/database.js';
import type { JobContext } from '../../../core/jobs/job-worker.js';
import { Eraser } from './erase.js';
import { BundleExporter } from './export-bundle.js';
import { rectify } from './rectify.js';
import { objectionFlags, setFlags } from './restrict.js';
import { resolveSubject } from './subject.js';

export type RequestType =
  | 'access'
  | 'portability'
  | 'rectification'
  | 'restriction'
  | 'objection'
  | 'erasure';

/** What a request is about, as the workflow verified it. */
export interface FulfilmentRequest {
  id: string;
  tenantId: string;
  type: RequestType;
  subjectPatientId: string | null;
  subjectUserId: string | null;
  /** Rectification: the corrected values, by attribute (see `rectify` in the data map). */
  rectification: Record<string, unknown> | null;
  /** Objection: the purposes objected to (policies/privacy/processing.yaml). */
  objectionPurposes: string[];
}

/** What was done, for the requester, the officer and the audit trail: counts, never values. */
export interface FulfilmentOutcome {
  /** Rows gathered, changed, flagged or erased, per table (or per store such as `audit_events`). */
  counts: Record<string, number>;
  /** What was kept and why: a legal hold (with its id) or a legal duty to retain. */
  kept: Array<{ table: string; reason: string; holdId?: string }>;
  /** Access and portability: the bundle stored in privacy_request_files. */
  file?: { name: string; bytes: number; sha256: string; contentType: string };
  /** Anything the officer must still do by hand (e.g. correct the name at the identity provider). */
  notes?: string[];
}

export type FulfilmentContext = Pick<JobContext, 'progress' | 'signal'>;

const RESTRICTION_NOTE =
  'Only storage continues: clinicians see this patient’s data in an emergency only (GDPR art. 18(2)). Tell the person before the restriction is lifted (art. 18(3)).';

@Injectable()
export class FulfilmentService {
  private readonly declarations = loadPrivacyDeclarations();

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SubjectVault) private readonly vault: SubjectVault,
    @Inject(SubjectErasure) private readonly erasure: SubjectErasure,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs the request's effect; idempotent, since a job may run again after a crash. */
  async fulfil(request: FulfilmentRequest, context: FulfilmentContext): Promise<FulfilmentOutcome> {
    context.signal.throwIfAborted();
    const subject = await resolveSubject(this.db.pool, request);
    switch (request.type) {
      case 'access':
      case 'portability':
        return new BundleExporter(this.db, this.vault, this.declarations).export(
          request.id,
          request.type,
          subject,
          context,
        );
      case 'rectification':
        return rectify(this.db, this.recorder, this.declarations.dataMap, request, subject);
      case 'restriction': {
        const counts = await setFlags(this.db, this.recorder, request.id, subject, [
          { kind: 'restriction', purpose: null },
        ]);
        return { counts, kept: [], notes: [RESTRICTION_NOTE] };
      }
      case 'objection': {
        const { flags, refused } = objectionFlags(
          request.objectionPurposes,
          this.declarations.processing.purposes,
        );
        const counts = await setFlags(this.db, this.recorder, request.id, subject, flags);
        return { counts, kept: refused };
      }
      case 'erasure':
        return new Eraser(
          this.db,
          this.erasure,
          this.vault,
          this.declarations.dataMap,
          this.config.RETENTION_BATCH_SIZE,
          this.recorder,
        ).erase(request.id, subject, context);
    }
  }
}
