/**
 * The jurisdictions of policies/privacy/jurisdictions.yaml as the workflow uses them: which one a
 * request falls under, whether it grants the requested right, and its deadlines. The default
 * (PRIVACY_DEFAULT_JURISDICTION) must be one of them, or the API does not start.
 */
import {
  type DeadlineRule,
  deadlineRule,
  type Jurisdiction,
  loadPrivacyDeclarations,
  type Period,
  type PrivacyRequestType,
  privacyRequestTypes,
} from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { AppError } from '../../../core/errors/app-error.js';
import { dueDate, extendedDueDate } from './due-dates.js';

const capitalised = (word: string) => `${word[0]?.toUpperCase()}${word.slice(1)}`;

/** `{ months: 1 }` as `{ answerMonths: 1 }`: the portal's flat shape. */
function flat(prefix: 'answer' | 'extension', period: Period | null): Record<string, number> {
  if (!period) return {};
  return Object.fromEntries(Object.entries(period).map(([unit, n]) => [`${prefix}${capitalised(unit)}`, n]));
}

@Injectable()
export class RequestJurisdictions {
  private readonly byId: ReadonlyMap<string, Jurisdiction>;
  readonly defaultId: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { jurisdictions } = loadPrivacyDeclarations();
    this.byId = new Map(jurisdictions.map((j) => [j.id, j]));
    this.defaultId = config.PRIVACY_DEFAULT_JURISDICTION;
    if (!this.byId.has(this.defaultId)) {
      throw new Error(
        `PRIVACY_DEFAULT_JURISDICTION: ${this.defaultId} is not in policies/privacy/jurisdictions.yaml (${[...this.byId.keys()].join(', ')})`,
      );
    }
  }

  /** The jurisdiction a new request falls under; 400 naming the field when it is unknown or grants no such right. */
  forFiling(
    id: string | undefined,
    type: PrivacyRequestType,
  ): { jurisdiction: Jurisdiction; rule: DeadlineRule } {
    const jurisdiction = this.byId.get(id ?? this.defaultId);
    if (!jurisdiction) {
      throw AppError.validation([
        {
          location: 'body',
          path: 'jurisdiction',
          message: `Unknown jurisdiction; one of ${[...this.byId.keys()].join(', ')}`,
          code: 'invalid_value',
        },
      ]);
    }
    if (!jurisdiction.requestTypes.includes(type)) {
      throw AppError.validation([
        {
          location: 'body',
          path: 'type',
          message: `${jurisdiction.name} grants no such right; one of ${jurisdiction.requestTypes.join(', ')}`,
          code: 'invalid_value',
        },
      ]);
    }
    return { jurisdiction, rule: deadlineRule(jurisdiction, type) };
  }

  /** The rule of an existing request (its jurisdiction may have been removed from the file since). */
  ruleOf(request: { jurisdiction: string; type: PrivacyRequestType }): DeadlineRule | null {
    const jurisdiction = this.byId.get(request.jurisdiction);
    return jurisdiction ? deadlineRule(jurisdiction, request.type) : null;
  }

  get(id: string): Jurisdiction | undefined {
    return this.byId.get(id);
  }

  dueAt(receivedAt: Date, timeZone: string, rule: DeadlineRule): string {
    return dueDate(receivedAt, timeZone, rule).toISOString();
  }

  extendedDueAt(request: { receivedAt: string; timeZone: string }, rule: DeadlineRule): string | null {
    return extendedDueDate(new Date(request.receivedAt), request.timeZone, rule)?.toISOString() ?? null;
  }

  /** What the portal shows: every jurisdiction with its periods. */
  forPortal() {
    return [...this.byId.values()].map((j) => ({
      id: j.id,
      name: j.name,
      law: j.law,
      ...flat('answer', j.answer),
      ...flat('extension', j.extension),
      weekendRollover: j.weekendRollover,
      requestTypes: [...j.requestTypes],
      overrides: j.overrides,
    }));
  }

  readonly requestTypes: readonly PrivacyRequestType[] = privacyRequestTypes;
}
