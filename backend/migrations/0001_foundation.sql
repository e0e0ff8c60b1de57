-- Foundation: tenants, sites, patients (pseudonymous), users synchronised from the identity
-- provider, care assignments, and the device registry. Forward-only; see docs/ARCHITECTURE.md.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1 CHECK (version > 0)
);
CREATE INDEX tenants_created_idx ON tenants (created_at, id);

CREATE TABLE sites (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  code        text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  timezone    text NOT NULL DEFAULT 'UTC' CHECK (char_length(timezone) BETWEEN 1 AND 64),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
  UNIQUE (tenant_id, code),
  -- Lets children reference (tenant_id, id) so a row can never point at another tenant's site.
  UNIQUE (tenant_id, id)
);

-- Data subjects known to a tenant, by pseudonymous code only: names and identifiers live with the
-- tenant's own systems, never here.
CREATE TABLE patients (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  code        text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 64),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, code),
  UNIQUE (tenant_id, id)
);

-- Users are created or updated on first sight from verified token claims.
CREATE TABLE users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  external_id         text NOT NULL UNIQUE,          -- the token's `sub`
  issuer              text NOT NULL,
  tenant_id           uuid REFERENCES tenants (id),
  username            text NOT NULL,
  display_name        text,
  roles               text[] NOT NULL DEFAULT '{}',
  -- Derived, so policies can keep patients' accounts from roles that must not learn who is a patient.
  kind                text NOT NULL GENERATED ALWAYS AS (
                        CASE WHEN 'data-subject' = ANY (roles) THEN 'data-subject' ELSE 'staff' END) STORED,
  site_ids            uuid[] NOT NULL DEFAULT '{}',
  attributes          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  subject_patient_id  uuid,
  last_seen_at        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  version             integer NOT NULL DEFAULT 1 CHECK (version > 0),
  FOREIGN KEY (tenant_id, subject_patient_id) REFERENCES patients (tenant_id, id)
);
CREATE INDEX users_tenant_idx ON users (tenant_id, username, id);
ALTER TABLE users ADD CONSTRAINT users_tenant_id_id_key UNIQUE (tenant_id, id);

-- Care relationships: which clinician may see which patient's data (HIPAA minimum necessary).
-- Both sides must belong to the same tenant: the composite keys make a cross-tenant assignment impossible.
CREATE TABLE care_assignments (
  tenant_id   uuid NOT NULL,
  user_id     uuid NOT NULL,
  patient_id  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, patient_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients (tenant_id, id)
);

CREATE TABLE devices (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  site_id           uuid,
  serial_number     text NOT NULL CHECK (serial_number ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
  model             text NOT NULL CHECK (char_length(model) BETWEEN 1 AND 100),
  firmware_version  text CHECK (char_length(firmware_version) BETWEEN 1 AND 64),
  labels            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  lifecycle_state   text NOT NULL DEFAULT 'manufactured' CHECK (lifecycle_state IN
                      ('manufactured', 'provisioned', 'claimed', 'active', 'suspended', 'decommissioned')),
  patient_id        uuid,
  data_category     text NOT NULL DEFAULT 'operational' CHECK (data_category IN ('operational', 'health')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  version           integer NOT NULL DEFAULT 1 CHECK (version > 0),
  UNIQUE (tenant_id, serial_number),
  -- A device has a site exactly while it is claimed, active or suspended (claiming assigns it).
  CONSTRAINT devices_site_follows_lifecycle CHECK (
    (lifecycle_state IN ('manufactured', 'provisioned') AND site_id IS NULL)
    OR (lifecycle_state IN ('claimed', 'active', 'suspended') AND site_id IS NOT NULL)
    OR lifecycle_state = 'decommissioned'),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients (tenant_id, id)
);
CREATE INDEX devices_tenant_site_idx ON devices (tenant_id, site_id, serial_number, id);
CREATE INDEX devices_tenant_created_idx ON devices (tenant_id, created_at, id);
CREATE INDEX devices_tenant_updated_idx ON devices (tenant_id, updated_at, id);
CREATE INDEX devices_patient_idx ON devices (patient_id) WHERE patient_id IS NOT NULL;
CREATE INDEX devices_labels_idx ON devices USING gin (labels jsonb_path_ops);

-- The lifecycle is enforced here too, so no code path can skip a state:
-- manufactured → provisioned → claimed → active ⇄ suspended, and any → decommissioned (final).
CREATE FUNCTION devices_check_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lifecycle_state = OLD.lifecycle_state THEN
    RETURN NEW;
  END IF;
  IF (OLD.lifecycle_state, NEW.lifecycle_state) IN (
       ('manufactured', 'provisioned'), ('provisioned', 'claimed'), ('claimed', 'active'),
       ('active', 'suspended'), ('suspended', 'active'))
     OR (NEW.lifecycle_state = 'decommissioned' AND OLD.lifecycle_state <> 'decommissioned') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'device lifecycle transition % -> % is not allowed', OLD.lifecycle_state, NEW.lifecycle_state
    USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER devices_lifecycle_guard BEFORE UPDATE OF lifecycle_state ON devices
  FOR EACH ROW EXECUTE FUNCTION devices_check_lifecycle();
