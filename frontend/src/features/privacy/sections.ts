/**
 * Which privacy pages a user gets, from the actions the API says they hold (never from role names).
 * A data subject also holds read and create on their own requests and consent; the privacy office
 * is told apart by what only it holds: working on requests, or reading holds, retention schedules,
 * the breach register or the record of processing.
 */
import { mayDo } from '@/features/api/me';
import type { Permissions } from '@/features/api/types';

export const privacyOffice = (permissions: Permissions | undefined): boolean =>
  mayDo(permissions, 'update', 'PrivacyRequest') ||
  (['LegalHold', 'RetentionSchedule', 'Breach', 'ProcessingRecord'] as const).some((type) =>
    mayDo(permissions, 'read', type),
  );

/** A signed-in person who files requests about themselves (their account proves who they are). */
export const filesForSelf = (permissions: Permissions | undefined): boolean =>
  mayDo(permissions, 'create', 'PrivacyRequest') && !privacyOffice(permissions);

export const privacySections = ['requests', 'retention', 'consent', 'records', 'breaches'] as const;
export type PrivacySection = (typeof privacySections)[number];

export const sectionPath: Record<PrivacySection, string> = {
  requests: '/privacy',
  retention: '/privacy/retention',
  consent: '/privacy/consent',
  records: '/privacy/records',
  breaches: '/privacy/breaches',
};

/** The privacy office's pages this user may open, in menu order. */
export function visibleSections(permissions: Permissions | undefined): PrivacySection[] {
  if (!privacyOffice(permissions)) return [];
  const may: Record<PrivacySection, boolean> = {
    requests: mayDo(permissions, 'read', 'PrivacyRequest'),
    retention: mayDo(permissions, 'read', 'RetentionSchedule') || mayDo(permissions, 'read', 'LegalHold'),
    consent: mayDo(permissions, 'read', 'ConsentRecord'),
    records: mayDo(permissions, 'read', 'ProcessingRecord'),
    breaches: mayDo(permissions, 'read', 'Breach'),
  };
  return privacySections.filter((section) => may[section]);
}
