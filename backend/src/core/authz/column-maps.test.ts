/**
 * Every field a policy may put in a condition must have a column, or a policy that passes
 * validation at start-up would make every list of that resource fail at run time.
 */
import { conditionFields, type ResourceType } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { auditEventColumns } from '../../modules/audit/audit.repository.js';
import { deviceColumns } from '../../modules/devices/devices.repository.js';
import { breachColumns } from '../../modules/privacy/breaches/breaches.repository.js';
import { consentRecordColumns } from '../../modules/privacy/consent/consent.repository.js';
import { legalHoldColumns } from '../../modules/privacy/holds/legal-holds.repository.js';
import { processingRecordColumns } from '../../modules/privacy/records/processing-records.repository.js';
import { privacyRequestColumns } from '../../modules/privacy/requests/requests.repository.js';
import { retentionScheduleColumns } from '../../modules/privacy/retention/retention-schedules.repository.js';
import { siteColumns } from '../../modules/sites/sites.repository.js';
import { tenantColumns } from '../../modules/tenants/tenants.repository.js';
import { userColumns } from '../../modules/users/users.repository.js';
import type { ColumnMap } from './condition-sql.js';

const maps: Record<ResourceType, ColumnMap> = {
  Tenant: tenantColumns,
  Site: siteColumns,
  User: userColumns,
  Device: deviceColumns,
  AuditEvent: auditEventColumns,
  ConsentRecord: consentRecordColumns,
  Breach: breachColumns,
  ProcessingRecord: processingRecordColumns,
  LegalHold: legalHoldColumns,
  RetentionSchedule: retentionScheduleColumns,
  PrivacyRequest: privacyRequestColumns,
};

describe('column maps', () => {
  it.each(Object.keys(maps) as ResourceType[])('%s maps every condition field to a column', (type) => {
    const missing = conditionFields[type].filter((field) => !(field in maps[type]));
    expect(missing).toEqual([]);
  });
});
