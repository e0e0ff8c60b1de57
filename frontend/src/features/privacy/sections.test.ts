import { describe, expect, it } from 'vitest';
import type { Permissions, ResourceType } from '@/features/api/types';
import { filesForSelf, privacyOffice, visibleSections } from './sections';

const holding = (allowed: Partial<Record<ResourceType, string[]>>) =>
  ({ allowed, grants: [], roles: [] }) as unknown as Permissions;

describe('privacy sections', () => {
  it('shows a data subject their own requests, not the office', () => {
    const subject = holding({ PrivacyRequest: ['read', 'create'], ConsentRecord: ['read', 'create'] });
    expect(privacyOffice(subject)).toBe(false);
    expect(filesForSelf(subject)).toBe(true);
    expect(visibleSections(subject)).toEqual([]);
  });

  it("gives a privacy officer every page, and no 'my requests'", () => {
    const officer = holding({
      PrivacyRequest: ['read', 'create', 'update'],
      LegalHold: ['read', 'create', 'update'],
      RetentionSchedule: ['read', 'update', 'run'],
      ConsentRecord: ['read', 'create'],
      Breach: ['read', 'create', 'update'],
      ProcessingRecord: ['read', 'export'],
    });
    expect(filesForSelf(officer)).toBe(false);
    expect(visibleSections(officer)).toEqual(['requests', 'retention', 'consent', 'records', 'breaches']);
  });

  it('gives the pages each oversight role may read, and nothing to an operator', () => {
    expect(visibleSections(holding({ RetentionSchedule: ['read'] }))).toEqual(['retention']);
    expect(
      visibleSections(
        holding({
          PrivacyRequest: ['read'],
          Breach: ['read'],
          ProcessingRecord: ['read', 'export'],
          RetentionSchedule: ['read'],
        }),
      ),
    ).toEqual(['requests', 'retention', 'records', 'breaches']);
    expect(visibleSections(holding({ Device: ['read', 'suspend'] }))).toEqual([]);
    expect(visibleSections(undefined)).toEqual([]);
  });
});
