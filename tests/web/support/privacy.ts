/**
 * Setting the scene for the privacy tests through the API, as the privacy officer (or a requester)
 * would with a script: real tokens, If-Match from the ETag read, and waiting for the fulfilment job.
 */
import { expect } from '@playwright/test';
import { demoPatients } from '../../../backend/dist/launcher/demo-data.js';
import { tokenFor } from './api.ts';
import { oneTimeCode } from './mail.ts';

export const DEMO_PATIENT_ID: string = demoPatients.p1.id;
export const SECOND_PATIENT_ID: string = demoPatients.p2.id;
/** The demo tenant's portal (its slug in backend/src/launcher/demo-data.ts). */
export const PORTAL_SLUG = 'acme-health';

const apiUrl = () => {
  const url = process.env.CUSTOS_API_URL;
  if (!url) throw new Error('CUSTOS_API_URL is not set: the global setup did not run');
  return url;
};

interface Answer<T> {
  status: number;
  body: T;
  etag: string | null;
}

/** One API call as `username` (or without a token when null); the status is the caller's to check. */
export async function call<T = unknown>(
  username: string | null,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  options: { body?: unknown; ifMatch?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (username) headers.authorization = `Bearer ${await tokenFor(username)}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
    etag: response.headers.get('etag'),
  };
}

interface RequestView {
  id: string;
  reference: string;
  status: string;
  version: number;
}

/** The officer's view of the request with this reference (the queue is searched page by page). */
export async function requestByReference(reference: string): Promise<RequestView> {
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const query = new URLSearchParams({ sort: '-receivedAt', limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await call<{ items: RequestView[]; nextCursor: string | null }>(
      'privacy',
      'GET',
      `/v1/privacy/requests?${query}`,
    );
    expect(answer.status).toBe(200);
    const found = answer.body.items.find((item) => item.reference === reference);
    if (found) return found;
    if (!answer.body.nextCursor) break;
    cursor = answer.body.nextCursor;
  }
  throw new Error(`request ${reference} is not in the privacy officer's queue`);
}

/** A step of the officer's workflow with the request's current ETag; fails the test unless it works. */
export async function officerStep(id: string, step: string, body?: unknown): Promise<void> {
  const current = await call('privacy', 'GET', `/v1/privacy/requests/${id}`);
  expect(current.status).toBe(200);
  const answer = await call('privacy', 'POST', `/v1/privacy/requests/${id}/${step}`, {
    body,
    ifMatch: current.etag,
  });
  expect([200, 202], `${step}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
}

/** Waits until the request reaches `status` (the fulfilment job runs in the background). */
export async function waitForStatus(id: string, status: string, timeout = 45_000): Promise<void> {
  await expect(async () => {
    const answer = await call<RequestView>('privacy', 'GET', `/v1/privacy/requests/${id}`);
    expect(answer.body.status).toBe(status);
  }).toPass({ timeout, intervals: [500, 1000, 2000] });
}

/**
 * A request filed through the public portal API and confirmed with the mailed code: its reference
 * and the requester's access token (what the status page's cookie holds).
 */
export async function filedAndConfirmed(
  email: string,
  type: string,
  extra: Record<string, unknown> = {},
): Promise<{ reference: string; accessToken: string }> {
  const filed = await call<{ reference: string }>(
    null,
    'POST',
    `/v1/privacy/portal/${PORTAL_SLUG}/requests`,
    {
      body: { type, email, locale: 'en', ...extra },
    },
  );
  expect(filed.status, JSON.stringify(filed.body)).toBe(202);
  const { code } = await oneTimeCode(email);
  const verified = await call<{ accessToken: string }>(
    null,
    'POST',
    `/v1/privacy/portal/requests/${filed.body.reference}/verification`,
    { body: { code } },
  );
  expect(verified.status).toBe(200);
  return { reference: filed.body.reference, accessToken: verified.body.accessToken };
}

/** Waits until a retention run has finished (it runs as a job in the background). */
export async function waitForRunCompleted(id: string, timeout = 30_000): Promise<void> {
  await expect(async () => {
    const answer = await call<{ status: string }>('privacy', 'GET', `/v1/privacy/retention/runs/${id}`);
    expect(answer.body.status).toBe('completed');
  }).toPass({ timeout, intervals: [500, 1000] });
}
