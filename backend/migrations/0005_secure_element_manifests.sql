-- Secure-element manifests (issue 5): the signed lists of pre-provisioned chips that Microchip ships
-- with Trust&GO parts (ATECC608A/B whose keys were generated at Microchip), imported per tenant as an
-- allowlist. Provisioning a device whose CSR carries a listed key records the match, and a
-- deployment can refuse keys that are on no list (PROVISIONING_REQUIRE_MANIFEST).

-- One row per accepted import. The same content imported again by the same tenant is the same
-- manifest (the unique key makes a retried upload a no-op), whoever uploads it.
CREATE TABLE secure_element_manifests (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  -- SHA-256 of the manifest's RFC 8785 canonical JSON: re-indenting the file is not a new manifest.
  manifest_sha256  text NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  -- SHA-256 fingerprints of the trusted signer certificates its entries verified against: which
  -- trust decision admitted them, should a signer later be withdrawn.
  signer_sha256    text[] NOT NULL CHECK (cardinality(signer_sha256) BETWEEN 1 AND 16),
  entry_count      integer NOT NULL CHECK (entry_count > 0),
  -- Entries this import added; the others were already on the tenant's list from an earlier one.
  new_entry_count  integer NOT NULL CHECK (new_entry_count BETWEEN 0 AND entry_count),
  imported_at      timestamptz NOT NULL DEFAULT now(),
  imported_by      uuid NOT NULL REFERENCES users (id),
  UNIQUE (tenant_id, manifest_sha256),
  -- Lets entries reference (tenant_id, id), so an entry can never point at another tenant's import.
  UNIQUE (tenant_id, id)
);
CREATE INDEX secure_element_manifests_tenant ON secure_element_manifests (tenant_id, imported_at DESC, id);

-- The allowlist: one row per chip a tenant may provision as pre-provisioned. Keyed per tenant, so
-- each tenant's list is its own and an import never reveals another tenant's entries (the same chip
-- may be on two tenants' lists; only a device of the tenant can match it). The signed entry is kept
-- as received, so anyone can re-verify the list against the signer's certificate without trusting
-- this database.
CREATE TABLE secure_element_manifest_entries (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL,
  -- The chip's 9-byte serial number (its uniqueId), lower-case hex.
  unique_id          text NOT NULL CHECK (unique_id ~ '^[0-9a-f]{18}$'),
  model              text NOT NULL CHECK (model IN ('ATECC608A', 'ATECC608B')),
  part_number        text NOT NULL CHECK (char_length(part_number) BETWEEN 1 AND 64),
  group_id           text CHECK (char_length(group_id) BETWEEN 1 AND 64),
  provisioned_at     timestamptz,
  -- The slot-0 identity key as a DER SubjectPublicKeyInfo (91 bytes for P-256), and its SHA-256,
  -- which is what a CSR's key is compared with (device_certificates.public_key_sha256 likewise).
  public_key_spki    bytea NOT NULL CHECK (octet_length(public_key_spki) = 91),
  public_key_sha256  text NOT NULL CHECK (public_key_sha256 ~ '^[0-9a-f]{64}$'),
  signed_entry       jsonb NOT NULL CHECK (jsonb_typeof(signed_entry) = 'object'),
  -- The import that first listed the chip.
  manifest_id        uuid NOT NULL,
  -- The device the chip was provisioned into, once its CSR came with this key.
  device_id          uuid,
  matched_at         timestamptz,
  CONSTRAINT secure_element_manifest_entries_match_complete CHECK ((device_id IS NULL) = (matched_at IS NULL)),
  UNIQUE (tenant_id, unique_id),
  -- One key is one chip: a list naming a key under two serial numbers is refused.
  UNIQUE (tenant_id, public_key_sha256),
  FOREIGN KEY (tenant_id, manifest_id) REFERENCES secure_element_manifests (tenant_id, id),
  FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id)
);
CREATE INDEX secure_element_manifest_entries_manifest ON secure_element_manifest_entries (manifest_id, unique_id, id);
-- A device has at most one chip.
CREATE UNIQUE INDEX secure_element_manifest_entries_device ON secure_element_manifest_entries (device_id)
  WHERE device_id IS NOT NULL;

-- A chip is matched once: the match may be recorded, never moved to another device or undone
-- (a second device presenting a matched chip's key is a clone or a mistake, for people to look at).
CREATE FUNCTION secure_element_manifest_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.device_id IS NOT NULL THEN
    RAISE EXCEPTION 'chip % is already matched to a device', OLD.unique_id
      USING ERRCODE = 'check_violation', HINT = 'chip_already_matched';
  END IF;
  IF (NEW.id, NEW.tenant_id, NEW.unique_id, NEW.model, NEW.part_number, NEW.group_id, NEW.provisioned_at,
      NEW.public_key_spki, NEW.public_key_sha256, NEW.signed_entry, NEW.manifest_id)
     IS DISTINCT FROM
     (OLD.id, OLD.tenant_id, OLD.unique_id, OLD.model, OLD.part_number, OLD.group_id, OLD.provisioned_at,
      OLD.public_key_spki, OLD.public_key_sha256, OLD.signed_entry, OLD.manifest_id) THEN
    RAISE EXCEPTION 'a manifest entry cannot be changed, only matched' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER secure_element_manifest_entries_guard BEFORE UPDATE ON secure_element_manifest_entries
  FOR EACH ROW EXECUTE FUNCTION secure_element_manifest_entries_guard();

-- No DELETE and no UPDATE of what was imported: the allowlist only grows, and what admitted a chip
-- stays answerable. The API may only record a match.
GRANT SELECT, INSERT ON secure_element_manifests TO custos_app;
GRANT SELECT, INSERT, UPDATE (device_id, matched_at) ON secure_element_manifest_entries TO custos_app;
