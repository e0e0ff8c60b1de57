/**
 * Denied and failed attempts leave events too. Called for every error response: a state-changing
 * route records its own event type with outcome `denied` (403) or `failed` (anything else); a
 * read refused by policy records `access.denied`. Requests without an authenticated actor (401)
 * cannot be attributed to anyone and are left to the HTTP metrics.
 */
import type { AuditResource } from '@custos/audit';
import type { FastifyRequest } from 'fastify';
import { ACTOR_KEY, Actor } from '../authz/actor.js';
import type { AppError } from '../errors/app-error.js';
import type { AuditRecorder } from './audit-recorder.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Event types whose resource is not the one their domain prefix names. */
const eventResourceTypes: Record<string, string> = {
  'device.manifest_imported': 'DeviceManifest',
  'privacy.consent_recorded': 'ConsentRecord',
  'privacy.consent_read': 'ConsentRecord',
  'privacy.breach_recorded': 'Breach',
  'privacy.breach_updated': 'Breach',
  'privacy.legal_hold_placed': 'LegalHold',
  'privacy.legal_hold_released': 'LegalHold',
  'privacy.legal_hold_updated': 'LegalHold',
  'privacy.retention_run_requested': 'RetentionSchedule',
  'privacy.retention_changed': 'RetentionSchedule',
  'privacy.retention_receipt': 'RetentionSchedule',
  'privacy.processing_record_exported': 'ProcessingRecord',
};

const resourceTypes: Record<string, string> = {
  tenant: 'Tenant',
  site: 'Site',
  user: 'User',
  device: 'Device',
  audit: 'AuditEvent',
  // Every other privacy event is a step of a data-subject request.
  privacy: 'PrivacyRequest',
};

export async function recordFailedAttempt(
  recorder: AuditRecorder,
  request: FastifyRequest,
  error: AppError,
): Promise<void> {
  const actor = (request as unknown as Record<string, unknown>)[ACTOR_KEY];
  if (!(actor instanceof Actor) || error.options.audited) return;
  const denied = error.status === 403;
  const type = actor.origin.auditType;
  if (type) {
    await recorder.recordDurably(actor, {
      type,
      outcome: denied ? 'denied' : 'failed',
      resource: resourceOf(type, request),
      payload: { error: { code: error.code, status: error.status } },
    });
  } else if (denied) {
    const permission = error.options.extensions?.permission;
    await recorder.recordDurably(actor, {
      type: 'access.denied',
      outcome: 'denied',
      resource: { type: 'Route', id: null, tenantId: actor.principal.tenantId },
      payload: {
        ...(typeof permission === 'string' ? { permission } : {}),
        route: actor.origin.route,
        method: actor.origin.method,
      },
    });
  }
}

/** The resource the route acts on. Only a well-formed id is kept: a malformed one is caller input. */
function resourceOf(type: string, request: FastifyRequest): AuditResource {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const id = typeof params.id === 'string' && UUID.test(params.id) ? params.id.toLowerCase() : null;
  const domain = type.split('.')[0] ?? '';
  return { type: eventResourceTypes[type] ?? resourceTypes[domain] ?? 'Unknown', id, tenantId: null };
}
