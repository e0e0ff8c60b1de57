/**
 * Keyset (cursor) pagination: the cursor is an opaque, base64url token holding the sort key and id
 * of the last row returned, so pages stay stable while rows are inserted and every page is an
 * index range scan. A cursor is bound to the sort it was made for.
 */
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

export const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'A whole number from 1 to 200')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200))
  .default(50);
export const orderSchema = z.enum(['asc', 'desc']).default('asc');
export const cursorSchema = z.string().max(512).optional();

export interface Cursor {
  sort: string;
  /** The sort column's value of the last row, as PostgreSQL prints it. */
  key: string;
  id: string;
}

// Every sort column is NOT NULL, so a cursor without a key is forged or corrupt.
const cursorShape = z.object({ s: z.string(), k: z.string(), i: z.uuid() });

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, k: cursor.key, i: cursor.id })).toString('base64url');
}

export function decodeCursor(token: string | undefined, sort: string): Cursor | undefined {
  if (token === undefined) return undefined;
  const invalid = () =>
    AppError.validation([
      { location: 'query', path: 'cursor', message: 'Invalid or expired cursor', code: 'invalid_cursor' },
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = cursorShape.safeParse(raw);
  if (!parsed.success || parsed.data.s !== sort) throw invalid();
  return { sort: parsed.data.s, key: parsed.data.k, id: parsed.data.i };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
