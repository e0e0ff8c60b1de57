/** Page-level handling of API answers: 404 → not-found page, 403 → forbidden, others propagate. */
import 'server-only';
import { notFound } from 'next/navigation';
import { ApiError } from './api-client';

export type Loaded<T> = { ok: true; value: T } | { ok: false; forbidden: true };

export async function load<T>(promise: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    if (error instanceof ApiError && error.status === 403) return { ok: false, forbidden: true };
    throw error;
  }
}

/** For optional parts of a page: the value, or undefined when the API says no or nothing. */
export async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ApiError && [403, 404].includes(error.status)) return undefined;
    throw error;
  }
}
