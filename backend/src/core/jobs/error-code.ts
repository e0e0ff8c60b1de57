/**
 * What a background failure may say about itself in logs and in the jobs table: a stable code, never
 * the message, because messages of database errors can quote the values of a row (personal data).
 */
export function errorCode(error: unknown): string {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 3; depth++) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    // PostgreSQL's SQLSTATE (on the error or, from slonik, on its cause) says most.
    if (typeof code === 'string') return code;
    e = cause;
  }
  // slonik's error classes (StatementTimeoutError, …) name themselves only by their class.
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}
