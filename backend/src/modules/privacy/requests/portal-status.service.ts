/**
 * What the public portal reads: a tenant's form (its jurisdictions, the rights and the purposes one
 * may object to), and a request for its requester, who proves it is theirs with the access token
 * verification gave them (for 24 hours). A wrong, missing or stale token and an unknown reference get
 * the same 404.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { RequestOrigin } from '../../../core/authz/actor.js';
import { AuthzService } from '../../../core/authz/authz.service.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { hashAccessToken, sameDigest } from './identity-codes.js';
import { RequestCodesRepository } from './request-codes.repository.js';
import { requestResource, subjectOf } from './request-journal.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { outcomeFile, RequestViews } from './request-views.js';
import { requesterActor } from './requester.js';
import { objectablePurposes } from './requests.dto.js';
import { type PrivacyRequestRecord, RequestsRepository } from './requests.repository.js';

const notFound = () => AppError.notFound('PrivacyRequest');
const NO_TOKEN = '0'.repeat(64);

@Injectable()
export class PortalStatusService {
  constructor(
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestJurisdictions) private readonly jurisdictions: RequestJurisdictions,
    @Inject(RequestViews) private readonly views: RequestViews,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(AuthzService) private readonly authz: AuthzService,
    @Inject(RequestCodesRepository) private readonly codes: RequestCodesRepository,
    @Inject(Database) private readonly db: Database,
  ) {}

  async info(slug: string) {
    const tenant = await this.requests.tenantBySlug(slug);
    if (!tenant) throw AppError.notFound('Tenant');
    return {
      tenant: { slug: tenant.slug, name: tenant.name },
      jurisdictions: this.jurisdictions.forPortal(),
      defaultJurisdiction: this.jurisdictions.defaultId,
      requestTypes: [...this.jurisdictions.requestTypes],
      objectionPurposes: objectablePurposes,
    };
  }

  async status(reference: string, token: string | undefined) {
    return this.views.forRequester(await this.open(reference, token));
  }

  async result(reference: string, token: string | undefined, origin: RequestOrigin) {
    const request = await this.open(reference, token);
    const file = outcomeFile(request);
    const info = file ? await this.views.result(request) : null;
    if (!file || !info?.available) throw AppError.notFound('Result');
    await this.audit.recordDurably(requesterActor(this.authz, origin, request.tenantId, request.reference), {
      type: 'privacy.result_downloaded',
      resource: requestResource(request),
      subject: subjectOf(request),
      payload: { ids: [request.id], count: 1 },
    });
    return { file, bytes: info.bytes, stream: this.views.fileStream(request) };
  }

  /** The request, when the token opens it; compared in constant time whether or not it exists. */
  private async open(reference: string, token: string | undefined): Promise<PrivacyRequestRecord> {
    const request = await this.requests.findByReference(reference);
    const given = token ? hashAccessToken(token) : NO_TOKEN;
    const matches = sameDigest(given, request?.accessTokenSha256 ?? NO_TOKEN);
    // Asked whether or not the reference exists, so both take the same queries.
    const fresh = await this.codes.accessTokenFresh(request?.id ?? null, this.db.pool);
    if (!request || !token || !request.accessTokenSha256 || !matches || !fresh) throw notFound();
    return request;
  }
}
