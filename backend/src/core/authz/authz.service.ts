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

  abilityFor(subject: SubjectAttributes, context: RequestContext): AppAbility {
    return abilityFor(this.policies, subject, context);
  }
}
