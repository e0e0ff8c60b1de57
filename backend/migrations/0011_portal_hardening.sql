-- Public portal hardening (issue 6 review), expand only: the release before this one never reads or
-- writes the new columns. A token it issued has no issue time, so this release refuses it and the
-- requester asks for a new code (one mail), which is the safe side.

-- When the requester's current access token was issued (set with access_token_sha256 on a right
-- code); the status page refuses a token older than a day.
ALTER TABLE privacy_requests ADD COLUMN access_token_issued_at timestamptz;
-- Wrong codes typed for this request over its whole life (the per-code count goes with the codes,
-- which retention deletes a day after they expire); past the cap only an officer can help.
ALTER TABLE privacy_requests ADD COLUMN wrong_codes integer NOT NULL DEFAULT 0 CHECK (wrong_codes >= 0);
