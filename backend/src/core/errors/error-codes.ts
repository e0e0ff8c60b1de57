/**
 * The stable machine codes of every failure the API reports, mapped exhaustively to HTTP status.
 * A new failure is a new code here; the `satisfies` makes a missing status a compile error.
 */
export const errorStatus = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  validation_failed: 400,
  malformed_body: 400,
  malformed_url: 400,
  uri_too_long: 414,
  unsupported_media_type: 415,
  payload_too_large: 413,
  precondition_required: 428,
  precondition_failed: 412,
  conflict: 409,
  invalid_state_transition: 409,
  invalid_reference: 422,
  invalid_csr: 422,
  invalid_claim_code: 422,
  too_many_attempts: 429,
  database_timeout: 503,
  audit_trail_inconsistent: 503,
  service_unavailable: 503,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export const errorTitle: Record<ErrorCode, string> = {
  unauthenticated: 'Authentication required',
  forbidden: 'Permission denied',
  not_found: 'Resource not found',
  route_not_found: 'No such route',
  method_not_allowed: 'Method not allowed',
  validation_failed: 'The request is invalid',
  malformed_body: 'The request body could not be parsed',
  malformed_url: 'The request URL could not be parsed',
  uri_too_long: 'The request URL is too long',
  unsupported_media_type: 'Unsupported media type',
  payload_too_large: 'Request body too large',
  precondition_required: 'A precondition (If-Match) is required',
  precondition_failed: 'The resource has changed',
  conflict: 'Conflict with the current state',
  invalid_state_transition: 'The action is not allowed in the current state',
  invalid_reference: 'A referenced resource does not exist',
  invalid_csr: 'The certificate signing request is not acceptable',
  invalid_claim_code: 'The claim code is not valid for this serial number',
  too_many_attempts: 'Too many failed attempts; try again later',
  database_timeout: 'The database did not answer in time',
  audit_trail_inconsistent: 'The audit trail failed verification; proofs cannot be produced',
  service_unavailable: 'Service temporarily unavailable',
  internal: 'Internal error',
};
