-- Data-subject request workflow (issue 6): brute-force protection of the public portal's code
-- routes, and the index the portal's per-address filing limit reads. Expand only: the release before
-- this one never reads or writes the new table.

-- Attempts per request reference and hour, for checking a one-time code (`verify`) and for asking
-- for a new one (`code`). An unknown reference is counted exactly like a known one, so the answers
-- never tell which references exist. Rows older than a day are deleted by the reminder pass.
CREATE TABLE privacy_portal_throttle (
  scope              text NOT NULL CHECK (scope IN ('verify', 'code')),
  reference          text NOT NULL CHECK (reference ~ '^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
  window_started_at  timestamptz NOT NULL DEFAULT now(),
  hits               integer NOT NULL DEFAULT 0 CHECK (hits >= 0),
  PRIMARY KEY (scope, reference)
);
CREATE INDEX privacy_portal_throttle_window_idx ON privacy_portal_throttle (window_started_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_portal_throttle TO custos_app;

-- At most a few requests per e-mail address and hour are accepted from the portal.
CREATE INDEX privacy_requests_contact_idx ON privacy_requests (lower(contact_email), received_at)
  WHERE contact_email IS NOT NULL;
