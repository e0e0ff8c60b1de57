-- Device connectivity (issue 5): the certificates the device CA issued, and device telemetry.

-- Every certificate the device CA issued. A device connects with one of its certificates that is
-- neither revoked nor expired; the brokers learn revocations from the CRL built from this table.
CREATE TABLE device_certificates (
  serial_number       text PRIMARY KEY CHECK (serial_number ~ '^[0-9a-f]{2,40}$'),
  device_id           uuid NOT NULL REFERENCES devices (id),
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  fingerprint_sha256  text NOT NULL UNIQUE CHECK (fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
  -- SHA-256 of the SubjectPublicKeyInfo: the chip's key, which outlives any one certificate.
  public_key_sha256   text NOT NULL CHECK (public_key_sha256 ~ '^[0-9a-f]{64}$'),
  certificate_pem     text NOT NULL CHECK (char_length(certificate_pem) < 8192),
  not_before          timestamptz NOT NULL,
  not_after           timestamptz NOT NULL CHECK (not_after > not_before),
  issued_at           timestamptz NOT NULL DEFAULT now(),
  revoked_at          timestamptz,
  revocation_reason   text CHECK (revocation_reason IN
                        ('keyCompromise', 'superseded', 'cessationOfOperation', 'unspecified')),
  CONSTRAINT device_certificates_revocation_complete CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
);
CREATE INDEX device_certificates_device ON device_certificates (device_id, issued_at DESC);
CREATE INDEX device_certificates_revoked ON device_certificates (not_after) WHERE revoked_at IS NOT NULL;

-- A revocation is final: it may be recorded once and never undone or rewritten.
CREATE FUNCTION device_certificates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'certificate % is already revoked', OLD.serial_number
      USING ERRCODE = 'check_violation', HINT = 'certificate_already_revoked';
  END IF;
  IF (NEW.serial_number, NEW.device_id, NEW.tenant_id, NEW.fingerprint_sha256, NEW.public_key_sha256,
      NEW.certificate_pem, NEW.not_before, NEW.not_after, NEW.issued_at)
     IS DISTINCT FROM
     (OLD.serial_number, OLD.device_id, OLD.tenant_id, OLD.fingerprint_sha256, OLD.public_key_sha256,
      OLD.certificate_pem, OLD.not_before, OLD.not_after, OLD.issued_at) THEN
    RAISE EXCEPTION 'an issued certificate cannot be changed' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER device_certificates_guard BEFORE UPDATE ON device_certificates
  FOR EACH ROW EXECUTE FUNCTION device_certificates_guard();

GRANT SELECT, INSERT, UPDATE (revoked_at, revocation_reason) ON device_certificates TO custos_app;

-- Telemetry, partitioned by the day it was measured, so that retention drops whole partitions
-- (about 30 ms and a few KB of WAL a day) instead of deleting rows. The primary key makes writes
-- idempotent: a message the broker redelivers after a crash is the same (device, time, seq).
CREATE TABLE telemetry (
  device_id    uuid NOT NULL,
  measured_at  timestamptz NOT NULL,
  seq          bigint NOT NULL CHECK (seq >= 0),
  tenant_id    uuid NOT NULL,
  -- The patient the device was assigned to when it measured: this row is their health data
  -- (policies decide who reads it; a data-subject request finds it by this column).
  patient_id   uuid,
  received_at  timestamptz NOT NULL DEFAULT now(),
  metrics      jsonb NOT NULL CHECK (jsonb_typeof(metrics) = 'object'),
  PRIMARY KEY (device_id, measured_at, seq)
) PARTITION BY RANGE (measured_at);

-- The API role may create the day's partition through this function only (it owns no tables).
CREATE FUNCTION telemetry_ensure_partition(day date) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := format('telemetry_%s', to_char(day, 'YYYYMMDD'));
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- Two instances may race to create the same day. The advisory lock serialises them; the loser's
  -- catalog cache may not show the winner's table yet, so its CREATE fails as a duplicate, which
  -- means the partition exists.
  PERFORM pg_advisory_xact_lock(hashtextextended(name, 4201871115));
  BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF telemetry FOR VALUES FROM (%L) TO (%L)',
                   name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
  EXCEPTION WHEN duplicate_table OR unique_violation THEN
    RETURN false;
  END;
  EXECUTE format('GRANT SELECT, INSERT ON %I TO custos_app', name);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION telemetry_ensure_partition(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_ensure_partition(date) TO custos_app;
GRANT SELECT, INSERT ON telemetry TO custos_app;

-- Commands sent to devices and what became of them. A command is published once it is committed
-- here; the device's acknowledgement (devices/{id}/commands/ack) completes it; a command nobody
-- acknowledged before expires_at times out.
CREATE TABLE device_commands (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_id     uuid NOT NULL REFERENCES devices (id),
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  name          text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  params        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'delivered', 'acknowledged', 'failed', 'timed_out')),
  requested_by  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  delivered_at  timestamptz,
  completed_at  timestamptz,
  result        jsonb,
  error         text CHECK (char_length(error) <= 64),
  CHECK (expires_at > created_at)
);
CREATE INDEX device_commands_device ON device_commands (device_id, created_at DESC);
CREATE INDEX device_commands_open ON device_commands (expires_at) WHERE status IN ('queued', 'delivered');
GRANT SELECT, INSERT, UPDATE (status, delivered_at, completed_at, result, error) ON device_commands TO custos_app;

-- What each device last reported (its retained state message) and what the platform wants of it.
CREATE TABLE device_state (
  device_id      uuid PRIMARY KEY REFERENCES devices (id),
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  online         boolean NOT NULL DEFAULT false,
  reported       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(reported) = 'object'),
  desired        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(desired) = 'object'),
  reported_at    timestamptz,
  desired_at     timestamptz,
  online_since   timestamptz,
  offline_since  timestamptz
);
GRANT SELECT, INSERT, UPDATE ON device_state TO custos_app;
