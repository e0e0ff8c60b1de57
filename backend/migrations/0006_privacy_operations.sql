-- Privacy operations (issue 6): the job queue, data-subject requests, processing restrictions and
-- objections, consent, legal holds, per-tenant retention settings, retention runs and the breach
-- register. What each column holds is declared in policies/privacy/data-map.yaml (a test fails when a
-- column is missing there). Forward-only.

-- ── Background jobs ──
-- A PostgreSQL-backed queue that any number of backend instances share: a worker claims a job with
-- FOR UPDATE SKIP LOCKED and holds it under a lease it renews; a job whose lease ran out (its
-- instance died) is claimed again. `dedupe_key` makes an enqueue idempotent (one retention run per
-- scheduled slot, however many instances schedule it).
CREATE TABLE jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue         text NOT NULL CHECK (queue ~ '^[a-z][a-z0-9.-]{0,63}$'),
  payload       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  dedupe_key    text UNIQUE CHECK (char_length(dedupe_key) <= 200),
  state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  run_at        timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  locked_by     text,
  locked_until  timestamptz,
  -- Progress as the job reports it ({done, total, stage}); never personal data.
  progress      jsonb CHECK (progress IS NULL OR jsonb_typeof(progress) = 'object'),
  -- A stable error code and message of the last failure; never personal data.
  last_error    text CHECK (char_length(last_error) <= 500),
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX jobs_ready_idx ON jobs (queue, run_at) WHERE state = 'queued';
CREATE INDEX jobs_leased_idx ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state IN ('done', 'failed');
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO custos_app;

-- ── Data-subject requests (GDPR art. 15–22, HIPAA §164.524–526) ──
CREATE TABLE privacy_requests (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  -- Short, human-friendly and unguessable enough to quote on the phone (e.g. DSR-7K3M-Q9XW).
  reference             text NOT NULL UNIQUE CHECK (reference ~ '^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
  type                  text NOT NULL CHECK (type IN
                          ('access', 'portability', 'rectification', 'restriction', 'objection', 'erasure')),
  status                text NOT NULL DEFAULT 'received' CHECK (status IN
                          ('received', 'identity-verified', 'in-progress', 'extended', 'completed', 'rejected')),
  jurisdiction          text NOT NULL CHECK (jurisdiction ~ '^[a-z][a-z0-9-]{1,31}$'),
  received_at           timestamptz NOT NULL DEFAULT now(),
  -- The statutory deadline, and the extended one once extended (with its reason).
  due_at                timestamptz NOT NULL,
  extended_due_at       timestamptz,
  extension_reason      text CHECK (char_length(extension_reason) BETWEEN 1 AND 2000),
  -- The requester's contact (verified by a one-time code) and preferences.
  contact_email         text CHECK (char_length(contact_email) <= 320),
  contact_verified_at   timestamptz,
  locale                text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2}$'),
  time_zone             text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
  -- What the requester says about themselves and the request (free text: personal data).
  subject_reference     text CHECK (char_length(subject_reference) <= 200),
  details               text CHECK (char_length(details) <= 4000),
  -- Requested corrections (rectification) and purposes objected to (objection).
  rectification         jsonb CHECK (rectification IS NULL OR jsonb_typeof(rectification) = 'object'),
  objection_purposes    text[] NOT NULL DEFAULT '{}',
  -- The data subject the request is about, once identity is verified.
  subject_user_id       uuid,
  subject_patient_id    uuid,
  identity_method       text CHECK (identity_method IN ('signed-in', 'email-code', 'officer')),
  identity_verified_at  timestamptz,
  identity_note         text CHECK (char_length(identity_note) <= 2000),
  assignee_id           uuid,
  rejection_reason      text CHECK (char_length(rejection_reason) BETWEEN 1 AND 2000),
  -- What was done: per store and category, what was exported, changed, erased or kept and why.
  outcome               jsonb CHECK (outcome IS NULL OR jsonb_typeof(outcome) = 'object'),
  completed_at          timestamptz,
  last_reminded_at      timestamptz,
  -- The requester's access to the status page: a random token, kept only as its SHA-256.
  access_token_sha256   text CHECK (access_token_sha256 ~ '^[0-9a-f]{64}$'),
  created_by            uuid,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  version               integer NOT NULL DEFAULT 1 CHECK (version > 0),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, subject_user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, subject_patient_id) REFERENCES patients (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
  CONSTRAINT privacy_requests_rejection_has_reason CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
  CONSTRAINT privacy_requests_extension_has_reason CHECK ((extended_due_at IS NULL) = (extension_reason IS NULL))
);
CREATE INDEX privacy_requests_queue_idx ON privacy_requests (tenant_id, status, due_at, id);
CREATE INDEX privacy_requests_patient_idx ON privacy_requests (subject_patient_id) WHERE subject_patient_id IS NOT NULL;
CREATE INDEX privacy_requests_user_idx ON privacy_requests (subject_user_id) WHERE subject_user_id IS NOT NULL;
GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_requests TO custos_app;

-- One-time codes sent to the requester's contact. Only a salted hash is kept.
CREATE TABLE privacy_request_codes (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id   uuid NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
  code_salt    bytea NOT NULL CHECK (octet_length(code_salt) = 16),
  code_hash    text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  consumed_at  timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX privacy_request_codes_request_idx ON privacy_request_codes (request_id, created_at DESC);
GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_request_codes TO custos_app;

-- The request's history as the requester sees it on the status page (no personal data; the audit
-- trail holds the full record).
CREATE TABLE privacy_request_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id  uuid NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  status      text NOT NULL,
  -- A stable code of what happened (filed, code-sent, identity-verified, assigned, extended, …).
  event       text NOT NULL CHECK (event ~ '^[a-z][a-z0-9-]{0,63}$')
);
CREATE INDEX privacy_request_history_request_idx ON privacy_request_history (request_id, id);
GRANT SELECT, INSERT, DELETE ON privacy_request_history TO custos_app;

-- The result of an access or portability request: a bundle stored in chunks, so that any instance
-- can serve the download and no instance needs local disk.
CREATE TABLE privacy_request_files (
  request_id    uuid NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
  part          integer NOT NULL CHECK (part >= 0),
  data          bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, part)
);
GRANT SELECT, INSERT, DELETE ON privacy_request_files TO custos_app;

-- ── Restriction (art. 18) and objection (art. 21): flags the policies read ──
CREATE TABLE processing_restrictions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  patient_id   uuid,
  user_id      uuid,
  -- restriction: everything but storage stops; objection: processing for `purpose` stops.
  kind         text NOT NULL CHECK (kind IN ('restriction', 'objection')),
  purpose      text CHECK (purpose ~ '^[a-z][a-z0-9-]{0,63}$'),
  request_id   uuid REFERENCES privacy_requests (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  lifted_at    timestamptz,
  lifted_reason text CHECK (char_length(lifted_reason) <= 2000),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  CHECK (num_nonnulls(patient_id, user_id) = 1),
  CHECK ((kind = 'objection') = (purpose IS NOT NULL))
);
CREATE INDEX processing_restrictions_patient_idx ON processing_restrictions (patient_id) WHERE lifted_at IS NULL;
CREATE INDEX processing_restrictions_user_idx ON processing_restrictions (user_id) WHERE lifted_at IS NULL;
GRANT SELECT, INSERT, UPDATE (lifted_at, lifted_reason), DELETE ON processing_restrictions TO custos_app;

-- ── Consent (art. 7: the controller must be able to demonstrate it) ──
-- Each change is a new row: the current state per subject and purpose is the latest row.
CREATE TABLE consent_records (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  patient_id   uuid,
  user_id      uuid,
  purpose      text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9-]{0,63}$'),
  action       text NOT NULL CHECK (action IN ('given', 'withdrawn')),
  source       text NOT NULL CHECK (source IN ('portal', 'officer', 'device', 'import', 'privacy-request')),
  -- What the subject was shown (e.g. a notice version), never free personal data.
  evidence     text CHECK (char_length(evidence) <= 500),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  recorded_by  uuid,
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  CHECK (num_nonnulls(patient_id, user_id) = 1)
);
CREATE INDEX consent_records_patient_idx ON consent_records (patient_id, purpose, recorded_at DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX consent_records_user_idx ON consent_records (user_id, purpose, recorded_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX consent_records_tenant_idx ON consent_records (tenant_id, recorded_at DESC, id);
-- History is never rewritten; rows leave only by erasure or retention.
GRANT SELECT, INSERT, DELETE ON consent_records TO custos_app;

-- ── Legal holds: data under a hold is exempt from retention and erasure until released ──
CREATE TABLE legal_holds (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  scope           text NOT NULL CHECK (scope IN ('tenant', 'site', 'device', 'subject')),
  site_id         uuid,
  device_id       uuid,
  patient_id      uuid,
  user_id         uuid,
  -- Which categories the hold covers (data-map categories); empty means all.
  categories      text[] NOT NULL DEFAULT '{}',
  reason          text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
  -- The matter or case it belongs to, as the legal team names it.
  matter          text CHECK (char_length(matter) <= 200),
  owner_id        uuid NOT NULL,
  created_by      uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz,
  released_by     uuid,
  release_reason  text CHECK (char_length(release_reason) BETWEEN 1 AND 2000),
  version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id),
  FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  CONSTRAINT legal_holds_scope_target CHECK (
    (scope = 'tenant' AND num_nonnulls(site_id, device_id, patient_id, user_id) = 0)
    OR (scope = 'site' AND site_id IS NOT NULL AND num_nonnulls(device_id, patient_id, user_id) = 0)
    OR (scope = 'device' AND device_id IS NOT NULL AND num_nonnulls(site_id, patient_id, user_id) = 0)
    OR (scope = 'subject' AND num_nonnulls(patient_id, user_id) = 1 AND num_nonnulls(site_id, device_id) = 0)),
  CONSTRAINT legal_holds_release_complete CHECK (
    (released_at IS NULL) = (released_by IS NULL) AND (released_at IS NULL) = (release_reason IS NULL))
);
CREATE INDEX legal_holds_active_idx ON legal_holds (tenant_id, scope) WHERE released_at IS NULL;

-- A released hold stays released, and what a hold covers never changes after it is placed.
CREATE FUNCTION legal_holds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'legal hold % is already released', OLD.id
      USING ERRCODE = 'check_violation', HINT = 'legal_hold_released';
  END IF;
  IF (NEW.tenant_id, NEW.scope, NEW.site_id, NEW.device_id, NEW.patient_id, NEW.user_id, NEW.categories,
      NEW.created_by, NEW.created_at) IS DISTINCT FROM
     (OLD.tenant_id, OLD.scope, OLD.site_id, OLD.device_id, OLD.patient_id, OLD.user_id, OLD.categories,
      OLD.created_by, OLD.created_at) THEN
    RAISE EXCEPTION 'what a legal hold covers cannot be changed; release it and place a new one'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER legal_holds_guard BEFORE UPDATE ON legal_holds FOR EACH ROW EXECUTE FUNCTION legal_holds_guard();
GRANT SELECT, INSERT, UPDATE (reason, matter, owner_id, released_at, released_by, release_reason, version)
  ON legal_holds TO custos_app;

-- ── Retention: per-tenant durations where a schedule allows them (bounds in policies/) ──
CREATE TABLE retention_settings (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  schedule     text NOT NULL CHECK (schedule ~ '^[a-z][a-z0-9.-]{0,63}$'),
  days         integer NOT NULL CHECK (days > 0),
  updated_by   uuid NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1 CHECK (version > 0),
  PRIMARY KEY (tenant_id, schedule)
);
GRANT SELECT, INSERT, UPDATE ON retention_settings TO custos_app;

-- Each retention run (dry or real) and its report; the signed receipt goes to the audit trail.
CREATE TABLE retention_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dry_run      boolean NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  -- Counts per schedule, category and period; what holds kept back. Never personal data.
  report       jsonb CHECK (report IS NULL OR jsonb_typeof(report) = 'object'),
  requested_by uuid
);
CREATE INDEX retention_runs_started_idx ON retention_runs (started_at DESC);
GRANT SELECT, INSERT, UPDATE (finished_at, status, report) ON retention_runs TO custos_app;

-- The retention engine deletes in small batches; erasure deletes a subject's rows. Both need DELETE,
-- granted here table by table (the audit trail stays append-only).
GRANT DELETE ON telemetry, device_commands, device_claim_codes, care_assignments TO custos_app;

-- Records of accountability may go only once their legal minimum has passed, whatever the
-- application does: a bug (or a stolen API credential) cannot delete who commanded a device or who
-- claimed it. The minimum is the floor; the retention schedules in policies/ may keep them longer.
CREATE FUNCTION refuse_early_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  since timestamptz;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING OLD INTO since;
  IF since IS NULL OR since > now() - TG_ARGV[1]::interval THEN
    RAISE EXCEPTION '% rows are kept at least % after %', TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[0]
      USING ERRCODE = 'insufficient_privilege', HINT = 'custos:retention_minimum';
  END IF;
  RETURN OLD;
END $$;
-- HIPAA §164.316(b)(2)(i): six years (2190 days, as the schedule counts them).
CREATE TRIGGER device_commands_retention_minimum BEFORE DELETE ON device_commands
  FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('created_at', '2190 days');
-- A claim code's expiry plus 365 days: long enough to investigate a disputed claim.
CREATE TRIGGER device_claim_codes_retention_minimum BEFORE DELETE ON device_claim_codes
  FOR EACH ROW EXECUTE FUNCTION refuse_early_delete('expires_at', '365 days');

-- Whole expired days of telemetry go by dropping their partition (milliseconds and a few KB of WAL,
-- where deleting the rows takes seconds and leaves VACUUM debt). The API role owns no tables, so it
-- drops through this function, which refuses anything but a telemetry day before `before` and, as
-- invariants no application bug can skip: a day that ended less than a day ago, and a day holding
-- any row that an active legal hold covers (the engine trims such days row by row instead).
CREATE FUNCTION telemetry_drop_partition(day date, before date) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := format('telemetry_%s', to_char(day, 'YYYYMMDD'));
  held boolean;
BEGIN
  IF day >= before OR day >= (now() AT TIME ZONE 'UTC')::date - 1 THEN
    RAISE EXCEPTION 'telemetry of % is not expired', day USING ERRCODE = 'check_violation';
  END IF;
  IF to_regclass(name) IS NULL THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended(name, 4201871115));
  EXECUTE format($q$
    SELECT EXISTS (
      SELECT 1 FROM legal_holds h
      WHERE h.released_at IS NULL
        AND (h.categories = '{}' OR h.categories && ARRAY['user.device.telemetry', 'user.health.monitoring'])
        AND EXISTS (
          SELECT 1 FROM %I t
          WHERE t.tenant_id = h.tenant_id
            AND (h.scope = 'tenant'
                 OR (h.scope = 'device' AND t.device_id = h.device_id)
                 OR (h.scope = 'subject' AND t.patient_id = h.patient_id)
                 OR (h.scope = 'subject' AND t.patient_id = (SELECT u.subject_patient_id FROM users u WHERE u.id = h.user_id))
                 OR (h.scope = 'site' AND t.device_id IN (SELECT d.id FROM devices d WHERE d.site_id = h.site_id)))))
    $q$, name) INTO held;
  IF held THEN
    RAISE EXCEPTION 'telemetry of % holds rows under a legal hold', day
      USING ERRCODE = 'insufficient_privilege', HINT = 'custos:legal_hold';
  END IF;
  EXECUTE format('ALTER TABLE telemetry DETACH PARTITION %I', name);
  EXECUTE format('DROP TABLE %I', name);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION telemetry_drop_partition(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_drop_partition(date, date) TO custos_app;

-- ── Breach register (GDPR art. 33–34, HIPAA §164.400–414) ──
CREATE TABLE breaches (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id                   uuid NOT NULL REFERENCES tenants (id),
  reference                   text NOT NULL UNIQUE CHECK (reference ~ '^BR-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
  title                       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  -- Facts of the breach, its effects and the remedial action (art. 33(5)); no subject's data.
  description                 text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 8000),
  categories                  text[] NOT NULL DEFAULT '{}',
  subjects_affected           integer CHECK (subjects_affected >= 0),
  records_affected            integer CHECK (records_affected >= 0),
  likely_consequences         text CHECK (char_length(likely_consequences) <= 4000),
  measures                    text CHECK (char_length(measures) <= 4000),
  risk                        text NOT NULL DEFAULT 'unassessed' CHECK (risk IN ('unassessed', 'unlikely', 'risk', 'high')),
  status                      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contained', 'closed')),
  occurred_at                 timestamptz,
  -- The 72-hour clock of art. 33(1) starts when the controller became aware.
  detected_at                 timestamptz NOT NULL,
  authority_notified_at       timestamptz,
  -- Why the notification is later than 72 hours, when it is (art. 33(1)).
  late_notification_reason    text CHECK (char_length(late_notification_reason) <= 4000),
  subjects_notified_at        timestamptz,
  created_by                  uuid NOT NULL,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  version                     integer NOT NULL DEFAULT 1 CHECK (version > 0),
  CHECK (occurred_at IS NULL OR occurred_at <= detected_at)
);
CREATE INDEX breaches_tenant_idx ON breaches (tenant_id, detected_at DESC, id);
GRANT SELECT, INSERT, UPDATE ON breaches TO custos_app;

-- Erasure anonymises accounts and removes patient links; the grants above for the foundation's tables
-- already include UPDATE. Patient records themselves are removed by erasure once nothing refers to them.
GRANT DELETE ON patients, privacy_request_codes TO custos_app;
