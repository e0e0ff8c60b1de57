/**
 * The public portal's intake: anyone may file a request for a tenant, and proves they read the
 * mailbox they gave with a one-time code, which buys them an access token for the status page.
 * Limits: a few filings per address and hour, five new codes and five wrong codes per reference and
 * hour; a code dies on its fifth wrong guess, and a request takes twenty wrong codes over its life. An unknown reference goes through the same steps and limits as a known one and gets the
 * same answers, so the routes never tell which references exist.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { RequestOrigin } from '../../../core/authz/actor.js';
import { AuthzService } from '../../../core/authz/authz.service.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import {
  generateAccessToken,
  generateCode,
  generateReference,
  hashAccessToken,
  hashCode,
  newSalt,
  sameDigest,
} from './identity-codes.js';
import type { FileRequestBody } from './portal.dto.js';
import {
  RequestCodesRepository,
  THROTTLE_LIMIT,
  WRONG_CODES_PER_REQUEST,
} from './request-codes.repository.js';
import { RequestJournal, requestResource } from './request-journal.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { RequestMails } from './request-mails.js';
import { requesterActor } from './requester.js';
import { type NewRequest, type PrivacyRequestRecord, RequestsRepository } from './requests.repository.js';

/** Requests one e-mail address may file through the portal per hour. */
export const FILINGS_PER_ADDRESS_AND_HOUR = 3;
const DUMMY_SALT = Buffer.alloc(16);

export function tooManyAttempts(retryAfterSeconds: number, detail: string): AppError {
  return new AppError('too_many_attempts', {
    detail,
    headers: { 'retry-after': String(retryAfterSeconds) },
    extensions: { retryAfterSeconds },
  });
}

/** Past the lifetime cap of wrong codes: no waiting helps, the privacy officer has to verify. */
function lockedOut(): AppError {
  return new AppError('too_many_attempts', {
    detail: 'Too many wrong codes for this request. Please contact the privacy officer.',
  });
}

/** Inserts the request under a fresh reference (drawing again in the rare case one is taken). */
export async function insertWithReference(
  requests: RequestsRepository,
  request: Omit<NewRequest, 'reference'>,
  tx: Queryable,
): Promise<PrivacyRequestRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await requests.insert({ ...request, reference: generateReference() }, tx);
    if (inserted) return inserted;
  }
  throw new Error('no free request reference after 5 attempts');
}

@Injectable()
export class PortalIntakeService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(AuthzService) private readonly authz: AuthzService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestCodesRepository) private readonly codes: RequestCodesRepository,
    @Inject(RequestJournal) private readonly journal: RequestJournal,
    @Inject(RequestJurisdictions) private readonly jurisdictions: RequestJurisdictions,
    @Inject(RequestMails) private readonly mails: RequestMails,
  ) {}

  async file(slug: string, body: FileRequestBody, origin: RequestOrigin) {
    const tenant = await this.requests.tenantBySlug(slug);
    if (!tenant) throw AppError.notFound('Tenant');
    const { jurisdiction, rule } = this.jurisdictions.forFiling(body.jurisdiction, body.type);
    const timeZone = body.timeZone ?? 'UTC';
    const code = generateCode();
    const outcome = await this.db.transaction(async (tx) => {
      if ((await this.requests.recentFilingsByEmail(body.email, tx)) >= FILINGS_PER_ADDRESS_AND_HOUR)
        return null;
      const receivedAt = new Date();
      const request = await insertWithReference(
        this.requests,
        {
          tenantId: tenant.id,
          type: body.type,
          status: 'received',
          jurisdiction: jurisdiction.id,
          receivedAt: receivedAt.toISOString(),
          dueAt: this.jurisdictions.dueAt(receivedAt, timeZone, rule),
          contactEmail: body.email,
          locale: body.locale,
          timeZone,
          subjectReference: body.subjectReference ?? null,
          details: body.details ?? null,
          rectification: body.rectification ?? null,
          objectionPurposes: body.objectionPurposes ?? [],
          subjectUserId: null,
          subjectPatientId: null,
          identityMethod: null,
          identityVerifiedAt: null,
          identityNote: null,
          createdBy: null,
        },
        tx,
      );
      const author = requesterActor(this.authz, origin, tenant.id, request.reference);
      await this.journal.record(tx, author, request, {
        type: 'privacy.request_filed',
        event: 'filed',
        payload: {
          requestType: request.type,
          jurisdiction: request.jurisdiction,
          dueAt: request.dueAt,
          identityMethod: null,
        },
      });
      await this.issueCode(tx, author, request, code);
      return request;
    });
    if (!outcome) {
      await this.audit.recordDurably(requesterActor(this.authz, origin, tenant.id, null), {
        type: 'privacy.request_filed',
        outcome: 'denied',
        resource: requestResource({ id: null, tenantId: tenant.id }),
        payload: { error: { code: 'too_many_attempts', status: 429 } },
      });
      throw tooManyAttempts(
        3600,
        'Too many requests from this address in the last hour. Try again later.',
      ).audited();
    }
    await this.mails.sendCode(outcome, 'filed', code);
    return {
      reference: outcome.reference,
      status: 'received' as const,
      dueAt: outcome.dueAt,
      verification: 'code-sent' as const,
    };
  }

  /** A new code for the reference's requester (the same answer whether or not the reference exists). */
  async resendCode(reference: string, origin: RequestOrigin): Promise<void> {
    const code = generateCode();
    const request = await this.db.transaction(async (tx) => {
      const window = await this.codes.window('code', reference, tx);
      if (window.hits >= THROTTLE_LIMIT) return window.retryAfter;
      await this.codes.hit('code', reference, tx);
      const found = await this.requests.findByReference(reference, tx, true);
      // A request locked by wrong codes gets no more codes (the answer stays the same).
      if (found?.contactEmail && (await this.codes.wrongCodes(found.id, tx)) < WRONG_CODES_PER_REQUEST) {
        await this.issueCode(
          tx,
          requesterActor(this.authz, origin, found.tenantId, found.reference),
          found,
          code,
        );
        return found;
      }
      return null;
    });
    if (typeof request === 'number')
      throw tooManyAttempts(request, 'Too many codes asked for. Try again later.');
    // Not awaited: waiting for the mail server only when the reference exists would tell which do.
    // sendCode logs and swallows its own failures; the requester can ask again.
    if (request) void this.mails.sendCode(request, 'code', code).catch(() => false);
  }

  /** Checks the code; a right one gives an access token for the status page. */
  async verify(reference: string, code: string, origin: RequestOrigin): Promise<{ accessToken: string }> {
    const token = generateAccessToken();
    const result = await this.db.transaction(async (tx) => {
      const window = await this.codes.window('verify', reference, tx);
      if (window.hits >= THROTTLE_LIMIT)
        return { error: tooManyAttempts(window.retryAfter, 'Too many wrong codes. Try again later.') };
      const request = await this.requests.findByReference(reference, tx, true);
      const stored = request ? await this.codes.newest(request.id, tx) : null;
      // Hashed whatever happens, so an unknown reference takes as long as a wrong code.
      const typed = hashCode(stored?.code_salt ?? DUMMY_SALT, code);
      if (request && (await this.codes.wrongCodes(request.id, tx)) >= WRONG_CODES_PER_REQUEST)
        return { error: lockedOut() };
      const author = requesterActor(
        this.authz,
        origin,
        request?.tenantId ?? null,
        request?.reference ?? null,
      );
      if (request && stored?.live && sameDigest(typed, stored.code_hash)) {
        await this.codes.consume(stored.id, tx);
        const firstTime = request.contactVerifiedAt === null;
        const updated = await this.requests.update(
          request.id,
          {
            accessTokenSha256: hashAccessToken(token),
            ...(firstTime ? { contactVerifiedAt: new Date().toISOString() } : {}),
          },
          tx,
        );
        await this.codes.stampAccessToken(request.id, tx);
        await this.journal.record(tx, author, updated ?? request, {
          type: 'privacy.identity_verified',
          payload: { method: 'email-code', attempts: window.hits },
          ...(firstTime ? { event: 'contact-verified' as const } : {}),
        });
        return { token };
      }
      const hits = await this.codes.hit('verify', reference, tx);
      if (stored?.live) await this.codes.countWrongGuess(stored.id, tx);
      if (request) {
        await this.codes.countWrongCode(request.id, tx);
        await this.journal.record(tx, author, request, {
          type: 'privacy.identity_verified',
          outcome: 'failed',
          payload: { attempts: hits, error: { code: 'invalid_code', status: 422 } },
        });
      }
      const attemptsLeft = Math.max(0, THROTTLE_LIMIT - hits);
      return {
        error: new AppError('invalid_code', {
          detail: 'This code is wrong or has expired. Check the latest mail, or ask for a new code.',
          extensions: { attemptsLeft },
        }),
      };
    });
    if ('error' in result) throw result.error;
    return { accessToken: result.token };
  }

  private async issueCode(
    tx: Queryable,
    author: ReturnType<typeof requesterActor>,
    request: PrivacyRequestRecord,
    code: string,
  ) {
    const salt = newSalt();
    await this.codes.insert(
      {
        requestId: request.id,
        salt,
        hash: hashCode(salt, code),
        validityMinutes: this.config.PRIVACY_CODE_VALIDITY_MINUTES,
      },
      tx,
    );
    await this.journal.record(tx, author, request, {
      type: 'privacy.request_code_sent',
      event: 'code-sent',
      payload: {},
    });
  }
}
