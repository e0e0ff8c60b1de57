/**
 * The request's state machine, as a pure function of what is known about the request. A request is
 * received, then its requester's identity is verified (and the data subject linked), then it is
 * processed (in-progress, a job) and completed. It may be extended once while open (the status
 * says `extended` until processing starts; extending during processing only moves the deadline),
 * and rejected with a reason while open, but not while its job is queued or running: the job may
 * already be changing data.
 */
export const requestStatuses = [
  'received',
  'identity-verified',
  'in-progress',
  'extended',
  'completed',
  'rejected',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const openStatuses: readonly RequestStatus[] = [
  'received',
  'identity-verified',
  'in-progress',
  'extended',
];

export type WorkflowStep = 'assign' | 'verify-identity' | 'extend' | 'reject' | 'process' | 'complete';

export interface StateFacts {
  status: RequestStatus;
  identityVerifiedAt: string | null;
  extendedDueAt: string | null;
  subjectPatientId: string | null;
  subjectUserId: string | null;
  /** The state of the request's latest fulfilment job, if it has one. */
  jobState: 'queued' | 'running' | 'done' | 'failed' | null;
}

export type Transition = { ok: true; status: RequestStatus } | { ok: false; reason: string };

const refuse = (reason: string): Transition => ({ ok: false, reason });
const to = (status: RequestStatus): Transition => ({ ok: true, status });

export function transition(step: WorkflowStep, facts: StateFacts): Transition {
  const { status } = facts;
  if (!openStatuses.includes(status)) return refuse(`The request is ${status}.`);
  const jobActive = facts.jobState === 'queued' || facts.jobState === 'running';
  switch (step) {
    case 'assign':
      return to(status);
    case 'verify-identity':
      if (facts.identityVerifiedAt) return refuse('The requester’s identity is already verified.');
      // An extended request keeps saying so; the verification shows in its history.
      return to(status === 'extended' ? 'extended' : 'identity-verified');
    case 'extend':
      if (facts.extendedDueAt)
        return refuse('The request was already extended; the law allows one extension.');
      return to(status === 'in-progress' ? 'in-progress' : 'extended');
    case 'reject':
      if (jobActive) return refuse('The request is being processed; wait for the job to finish.');
      return to('rejected');
    case 'process': {
      const retry = status === 'in-progress' && facts.jobState === 'failed';
      if (status !== 'identity-verified' && status !== 'extended' && !retry) {
        return refuse(`A ${status} request cannot be processed; verify the requester’s identity first.`);
      }
      if (!facts.identityVerifiedAt) return refuse('Verify the requester’s identity first.');
      if (!facts.subjectPatientId && !facts.subjectUserId) {
        return refuse('Link the data subject (a patient or an account) before processing.');
      }
      return to('in-progress');
    }
    case 'complete':
      return status === 'in-progress' ? to('completed') : refuse(`A ${status} request cannot be completed.`);
  }
}
