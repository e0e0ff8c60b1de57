-- Device claiming (issue 5): the one-time claim code printed on a device as a QR code, the
-- throttles that make guessing codes useless, and the transitions that release a device again.

-- A code is bound to its device's tenant: the composite key below needs (tenant_id, id) unique.
ALTER TABLE devices ADD CONSTRAINT devices_tenant_id_id_key UNIQUE (tenant_id, id);

-- Claim codes. Only a hash is kept: whoever reads this table (a backup, a replica, an operator with
-- SQL access) cannot claim a device with it. The hash is SHA-256 over a domain tag, a random salt of
-- this row and the normalised code. A fast hash is enough because the code itself carries 80 random
-- bits (nothing to gain from a slow KDF, which exists for low-entropy passwords); the per-row salt
-- stops one computation from being tested against every row at once. An HMAC under a server key
-- would add protection only against someone who can grind 2^80 hashes, at the price of a key that
-- every instance must share and that can never be rotated without reprinting every sticker.
CREATE TABLE device_claim_codes (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_id     uuid NOT NULL,
  tenant_id     uuid NOT NULL,
  code_salt     bytea NOT NULL CHECK (octet_length(code_salt) = 16),
  code_hash     text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  created_by    uuid NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  used_by       uuid REFERENCES users (id),
  -- Set when a newer code replaces this one, or when the device is released (unclaimed): whoever
  -- still holds the old sticker can no longer claim the device.
  revoked_at    timestamptz,
  -- Failed guesses against this code's device while it was live; every fifth locks it for a while.
  -- Kept here, not in an instance's memory, so the limit holds however many instances serve.
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  locked_until  timestamptz,
  CONSTRAINT device_claim_codes_expiry CHECK (expires_at > created_at),
  CONSTRAINT device_claim_codes_use_complete CHECK ((used_at IS NULL) = (used_by IS NULL)),
  CONSTRAINT device_claim_codes_used_or_revoked CHECK (used_at IS NULL OR revoked_at IS NULL),
  FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id)
);
-- At most one live code per device: issuing a new one must revoke the old one first.
CREATE UNIQUE INDEX device_claim_codes_live ON device_claim_codes (device_id)
  WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX device_claim_codes_device ON device_claim_codes (device_id, created_at DESC);

-- A code is single use, and a used or revoked code stays so: no UPDATE can bring it back, and
-- what identifies it never changes. Guesses only ever add to the count.
CREATE FUNCTION device_claim_codes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.used_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'claim code % is no longer live', OLD.id
      USING ERRCODE = 'check_violation', HINT = 'claim_code_not_live';
  END IF;
  IF (NEW.id, NEW.device_id, NEW.tenant_id, NEW.code_salt, NEW.code_hash, NEW.created_by)
     IS DISTINCT FROM
     (OLD.id, OLD.device_id, OLD.tenant_id, OLD.code_salt, OLD.code_hash, OLD.created_by)
     OR NEW.attempts < OLD.attempts THEN
    RAISE EXCEPTION 'a claim code cannot be changed, only used, revoked or counted against'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER device_claim_codes_guard BEFORE UPDATE ON device_claim_codes
  FOR EACH ROW EXECUTE FUNCTION device_claim_codes_guard();

-- The API may not change a code's hash, device or validity period (expires_at is not granted).
GRANT SELECT, INSERT, UPDATE (used_at, used_by, revoked_at, attempts, locked_until)
  ON device_claim_codes TO custos_app;

-- Failed claim attempts per user, across serial numbers: what stops one account from enumerating
-- serials or spreading guesses over many devices. One row per user, updated in place (a window
-- opened by the first failure after the previous window ended, and its failure count), so the
-- table stays as small as the user list and the API needs no DELETE. The audit trail records every
-- attempt too, but counting there would scan an append-only log on the hot path, and events wait
-- in the intake before the sealer gives them searchable columns.
CREATE TABLE device_claim_throttle (
  user_id            uuid PRIMARY KEY REFERENCES users (id),
  window_started_at  timestamptz NOT NULL DEFAULT now(),
  failures           integer NOT NULL DEFAULT 0 CHECK (failures >= 0)
);
GRANT SELECT, INSERT, UPDATE (window_started_at, failures) ON device_claim_throttle TO custos_app;

-- Releasing a device (unclaim) returns it to provisioned, without a site, from claimed or
-- suspended (an active device is suspended first, so that nothing it sends is cut off silently).
-- Every transition of 0001 is kept; the release before this one never attempts the new ones, so
-- both releases run on this schema.
CREATE OR REPLACE FUNCTION devices_check_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lifecycle_state = OLD.lifecycle_state THEN
    RETURN NEW;
  END IF;
  IF (OLD.lifecycle_state, NEW.lifecycle_state) IN (
       ('manufactured', 'provisioned'), ('provisioned', 'claimed'), ('claimed', 'active'),
       ('active', 'suspended'), ('suspended', 'active'),
       ('claimed', 'provisioned'), ('suspended', 'provisioned'))
     OR (NEW.lifecycle_state = 'decommissioned' AND OLD.lifecycle_state <> 'decommissioned') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'device lifecycle transition % -> % is not allowed', OLD.lifecycle_state, NEW.lifecycle_state
    USING ERRCODE = 'check_violation';
END
$$;
