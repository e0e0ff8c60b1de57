/** Optimistic concurrency: the ETag is the row version; updates must name it in If-Match. */
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

export const etagFor = (version: number) => `"${version}"`;

/** Parses a single strong or weak entity tag naming a version; `*` and lists are not accepted. */
export function requireIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw new AppError('precondition_required', { detail: 'Send If-Match with the ETag you last read.' });
  }
  // If-Match uses strong comparison (RFC 9110 §13.1.1): a weak tag never matches.
  if (/^W\//.test(header.trim())) {
    throw new AppError('precondition_failed', {
      detail: 'Weak entity tags never match If-Match; send the ETag as read.',
    });
  }
  const match = /^"(\d{1,9})"$/.exec(header.trim());
  if (!match) {
    throw AppError.validation([
      {
        location: 'header',
        path: 'if-match',
        message: 'Expected one entity tag such as "3"',
        code: 'invalid_format',
      },
    ]);
  }
  return Number(match[1]);
}

/** For actions where If-Match is optional: checked when present. */
export function optionalIfMatch(header: string | undefined): number | undefined {
  return header === undefined || header.trim() === '' ? undefined : requireIfMatch(header);
}

/**
 * Optimistic concurrency for one change: 412 unless the stored version is the one the caller last
 * read, and 412 again if someone else's change lands between our read and our write.
 */
export async function updateVersioned<T extends { version: number }>(
  resource: string,
  current: T,
  expectedVersion: number,
  update: () => Promise<T | null>,
): Promise<T> {
  if (current.version !== expectedVersion) throw versionConflict(resource, current.version);
  const updated = await update();
  if (!updated) throw versionConflict(resource, current.version);
  return updated;
}

const versionConflict = (resource: string, current: number) =>
  new AppError('precondition_failed', {
    detail: `The ${resource.toLowerCase()} was changed since you read it; read it again and retry.`,
    extensions: { currentVersion: current },
  });

/** Documents (and bounds) the If-Match request header on routes that accept it. */
export const ifMatchHeaders = z.object({ 'if-match': z.string().max(64).optional() });
