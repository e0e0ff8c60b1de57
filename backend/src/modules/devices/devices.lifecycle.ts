/**
 * The device lifecycle: each transition is its own action (and its own permission). The database
 * enforces the same graph with a trigger (migration 0001), so no code path can skip a state.
 */
import type { AuditEventType } from '@custos/audit';
import type { LifecycleState } from './devices.dto.js';

export const lifecycleActions = ['provision', 'claim', 'activate', 'suspend', 'decommission'] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

export const transitions: Record<LifecycleAction, { from: readonly LifecycleState[]; to: LifecycleState }> = {
  provision: { from: ['manufactured'], to: 'provisioned' },
  claim: { from: ['provisioned'], to: 'claimed' },
  activate: { from: ['claimed', 'suspended'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  decommission: {
    from: ['manufactured', 'provisioned', 'claimed', 'active', 'suspended'],
    to: 'decommissioned',
  },
};

export function nextState(action: LifecycleAction, current: LifecycleState): LifecycleState | undefined {
  const transition = transitions[action];
  return transition.from.includes(current) ? transition.to : undefined;
}

/** The audit event each lifecycle action records. */
export const lifecycleEvents = {
  provision: 'device.provisioned',
  claim: 'device.claimed',
  activate: 'device.activated',
  suspend: 'device.suspended',
  decommission: 'device.decommissioned',
} as const satisfies Record<LifecycleAction, AuditEventType>;
