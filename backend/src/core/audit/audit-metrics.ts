/** Prometheus metrics of the audit trail: counts and states only, never an event's content. */
import { Counter, Gauge, type Registry } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export class AuditMetrics {
  readonly sealed: Counter;
  readonly treeSize: Gauge;
  readonly verificationOk: Gauge;
  readonly verifiedEvents: Gauge;
  readonly jobFailures: Counter<'job'>;
  readonly witnessFailures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sealed = new Counter({
      name: 'custos_audit_events_sealed_total',
      help: 'Audit events sealed into the hash chain by this instance.',
      registers,
    });
    this.treeSize = new Gauge({
      name: 'custos_audit_tree_size',
      help: 'Size of the newest signed tree head this instance produced or saw.',
      registers,
    });
    this.verificationOk = new Gauge({
      name: 'custos_audit_verification_ok',
      help: '1 when the last full verification of the trail passed, 0 when it found a divergence, -1 before the first run.',
      registers,
    });
    this.verificationOk.set(-1);
    this.verifiedEvents = new Gauge({
      name: 'custos_audit_verified_events',
      help: 'Events checked by the last full verification.',
      registers,
    });
    this.jobFailures = new Counter({
      name: 'custos_audit_job_failures_total',
      help: 'Audit job runs that failed (seal, sign, verify).',
      labelNames: ['job'] as const,
      registers,
    });
    this.witnessFailures = new Counter({
      name: 'custos_audit_witness_failures_total',
      help: 'Tree heads the witness did not co-sign (unreachable, refused, or an invalid co-signature).',
      registers,
    });
  }
}
