/**
 * What a background failure may say about itself in logs and in the jobs table: a stable code, never
 * the message, because messages of database errors can quote the values of a row (personal data).
 */
import { sqlStateOf } from '../errors/to-app-error.js';

export function errorCode(error: unknown): string {
  // PostgreSQL's SQLSTATE (on the error or, from slonik, on its cause) says most.
  const sqlState = sqlStateOf(error);
  if (sqlState) return sqlState;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // slonik's error classes (StatementTimeoutError, …) name themselves only by their class.
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}
