/** Loads the ABAC policy set once at start (a bad policy file stops the start) and builds per-request abilities. */

import {
  type AppAbility,
  abilityFor,
  loadPolicySet,
  type PolicySet,
  type RequestContext,
  type SubjectAttributes,
} from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

@Injectable()
export class AuthzService {
  readonly policies: PolicySet;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.policies = loadPolicySet(config.POLICY_FILE);
  }

  /**
   * Abilities are compiled once per subject and purpose: the subject objects come from the
   * SubjectDirectory's cache, so this cache lives exactly as long as they do.
   */
  private readonly compiled = new WeakMap<SubjectAttributes, Map<string, AppAbility>>();

  abilityFor(subject: SubjectAttributes, context: RequestContext): AppAbility {
    let byPurpose = this.compiled.get(subject);
    if (!byPurpose) {
      byPurpose = new Map();
      this.compiled.set(subject, byPurpose);
    }
    const key = context.purpose ?? '';
    let ability = byPurpose.get(key);
    if (!ability) {
      ability = abilityFor(this.policies, subject, context);
      byPurpose.set(key, ability);
    }
    return ability;
  }
}
