/**
 * What a data-subject request does to the data, through the data map (policies/privacy/data-map.yaml):
 * gather it (access, portability), correct it everywhere (rectification), flag it (restriction,
 * objection) or erase it (erasure). The request workflow (../requests) runs this in a job and records
 * the outcome; this service never changes the request's status itself.
 */
import { Injectable } from '@nestjs/common';
import type { JobContext } from '../../../core/jobs/job-worker.js';

export type RequestType = 'access' | 'portability' | 'rectification' | 'restriction' | 'objection' | 'erasure';

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

@Injectable()
export class FulfilmentService {
  /** Runs the request's effect; idempotent, since a job may run again after a crash. */
  async fulfil(_request: FulfilmentRequest, _context: Pick<JobContext, 'progress' | 'signal'>): Promise<FulfilmentOutcome> {
    throw new Error('not implemented yet');
  }
}
