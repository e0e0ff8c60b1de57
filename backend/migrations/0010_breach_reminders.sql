-- Breach register (issue 6), expand only: the release before this one never reads or writes the new
-- column, and a breach it records simply has none yet.

-- When the breach was reported as overdue: its 72 hours (GDPR art. 33(1)) passed without the
-- supervisory authority being notified. Set in the same transaction as the audit event
-- `privacy.breach_notification_overdue`, so that each breach is reported once, by one instance.
ALTER TABLE breaches ADD COLUMN overdue_recorded_at timestamptz;
-- What the reminder looks for: unnotified breaches not reported yet, by detection time.
CREATE INDEX breaches_unreported_overdue_idx ON breaches (detected_at)
  WHERE authority_notified_at IS NULL AND overdue_recorded_at IS NULL;
