-- The audit trail (docs/ARCHITECTURE.md § Audit trail, docs/audit-bundle.md) and the database
-- role the application runs as. Forward-only.
--
-- Append-only by construction: the application role may only INSERT into and SELECT from the
-- sealed trail, and triggers refuse UPDATE, DELETE and TRUNCATE even for the owner. An owner or
-- superuser can still disable triggers; that is what the hash chain, the Merkle tree and the signed
-- (and witnessed) tree heads are for: any change made that way is detected by verification.

-- The role the API runs as. Deployments create a LOGIN role that is a member of it (the embedded
-- launcher and the test harness create `custos_api`); migrations run as the owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custos_app') THEN
    CREATE ROLE custos_app NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO custos_app;
-- The foundation's tables: plain data manipulation, no DELETE (nothing deletes yet; retention
-- jobs will get their own narrowly granted path).
GRANT SELECT, INSERT, UPDATE ON tenants, sites, patients, users, care_assignments, devices TO custos_app;

-- ── Events recorded but not yet sealed ──
-- A change writes its event here in its own transaction (so there is no change without its event);
-- the sealer moves committed events into audit_events in order, in batches, and deletes them here.
CREATE TABLE audit_intake (
  id           bigserial PRIMARY KEY,
  -- The event as canonical JSON text, exactly as the recorder built and validated it.
  event        text NOT NULL CHECK (event <> ''),
  recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- ── The sealed trail ──
-- `entry` is the RFC 8785 canonical JSON of the entry: exactly the bytes of the Merkle leaf. The
-- search columns are copies of fields of the entry, written by the sealer. They are plain columns,
-- not generated ones, because parsing every entry again in PostgreSQL halved the append rate
-- (ADR 0013); verification checks that each one still agrees with the hashed entry.
CREATE TABLE audit_events (
  seq            bigint PRIMARY KEY CHECK (seq >= 0),
  entry          text NOT NULL,
  leaf_hash      bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
  sealed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  occurred_at    timestamptz NOT NULL,
  type           text NOT NULL,
  outcome        text NOT NULL,
  -- The resource's tenant, else the actor's.
  tenant_id      uuid,
  actor_id       text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text,
  subject        text
);
CREATE INDEX audit_events_tenant_time_idx ON audit_events (tenant_id, occurred_at, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq);
CREATE INDEX audit_events_subject_idx ON audit_events (subject, seq) WHERE subject IS NOT NULL;

-- Ed25519 keys that sign tree heads. The private key is wrapped (AES-256-GCM) under the master key;
-- a retired key stays so that old heads keep verifying.
CREATE TABLE audit_signing_keys (
  key_id       text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
  public_key   bytea NOT NULL CHECK (octet_length(public_key) = 32),
  private_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at   timestamptz
);
CREATE UNIQUE INDEX audit_signing_keys_one_active_idx ON audit_signing_keys ((true)) WHERE retired_at IS NULL;

-- Signed tree heads: `timestamp` is kept as the exact string that was signed.
CREATE TABLE audit_tree_heads (
  tree_size   bigint PRIMARY KEY CHECK (tree_size > 0),
  root_hash   bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  "timestamp" text NOT NULL,
  key_id      text NOT NULL REFERENCES audit_signing_keys (key_id),
  signature   bytea NOT NULL CHECK (octet_length(signature) = 64),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Hashes of perfect subtrees at levels 8, 16, 24… (256, 65 536… leaves), written when complete:
-- with them any proof needs only a few small range reads. A cache of what the leaves determine,
-- checked by verification like everything else.
CREATE TABLE audit_tree_nodes (
  level  smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
  idx    bigint NOT NULL CHECK (idx >= 0),
  hash   bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- Co-signatures returned by an external witness for a head it has seen.
CREATE TABLE audit_witness_cosignatures (
  tree_size       bigint NOT NULL REFERENCES audit_tree_heads (tree_size),
  witness_key_id  text NOT NULL,
  "timestamp"     text NOT NULL,
  signature       bytea NOT NULL CHECK (octet_length(signature) = 64),
  received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tree_size, witness_key_id)
);

-- One data key per data subject (crypto-shredding). Erasure sets wrapped_key to NULL: the row
-- stays as the tombstone that keeps a later event from creating a fresh key for the same person.
CREATE TABLE audit_subject_keys (
  pseudonym    text PRIMARY KEY CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
  wrapped_key  bytea,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  erased_at    timestamptz,
  CONSTRAINT audit_subject_keys_erased_means_no_key CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);

-- Results of scheduled and on-demand verification runs.
CREATE TABLE audit_verifications (
  id              bigserial PRIMARY KEY,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  ok              boolean NOT NULL,
  checked_events  bigint NOT NULL,
  tree_size       bigint,
  first_bad_seq   bigint,
  bad_tree_size   bigint,
  reason          text
);

-- Exports handed out: the next export of a tenant proves consistency with the previous one.
CREATE TABLE audit_exports (
  id            uuid PRIMARY KEY,
  tenant_id     uuid,
  requested_by  text NOT NULL,
  filter        jsonb NOT NULL,
  tree_size     bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_exports_tenant_idx ON audit_exports (tenant_id, created_at);

-- ── Append-only enforcement ──
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege', HINT = 'custos:audit_append_only';
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['audit_events', 'audit_tree_heads', 'audit_tree_nodes',
                           'audit_witness_cosignatures', 'audit_verifications', 'audit_exports'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()',
                   t || '_refuse_change', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()',
                   t || '_refuse_truncate', t);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO custos_app', t);
  END LOOP;
END
$$;

-- A subject key may be erased, never restored, and its tombstone never removed.
CREATE FUNCTION audit_subject_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.wrapped_key IS NULL OR NEW.pseudonym <> OLD.pseudonym
      OR NEW.wrapped_key IS NOT NULL AND NEW.wrapped_key <> OLD.wrapped_key)) THEN
    RAISE EXCEPTION 'subject keys can only be erased' USING ERRCODE = 'insufficient_privilege',
      HINT = 'custos:audit_append_only';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER audit_subject_keys_guard BEFORE UPDATE OR DELETE ON audit_subject_keys
  FOR EACH ROW EXECUTE FUNCTION audit_subject_keys_guard();
CREATE TRIGGER audit_subject_keys_refuse_truncate BEFORE TRUNCATE ON audit_subject_keys
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- A signing key may only be retired.
CREATE FUNCTION audit_signing_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.retired_at IS NOT NULL OR NEW.key_id <> OLD.key_id
     OR NEW.public_key <> OLD.public_key OR NEW.private_key <> OLD.private_key THEN
    RAISE EXCEPTION 'signing keys can only be retired' USING ERRCODE = 'insufficient_privilege',
      HINT = 'custos:audit_append_only';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_signing_keys_guard BEFORE UPDATE OR DELETE ON audit_signing_keys
  FOR EACH ROW EXECUTE FUNCTION audit_signing_keys_guard();
CREATE TRIGGER audit_signing_keys_refuse_truncate BEFORE TRUNCATE ON audit_signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

REVOKE ALL ON audit_intake, audit_subject_keys, audit_signing_keys FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON audit_intake TO custos_app;
GRANT SELECT, INSERT, UPDATE (wrapped_key, erased_at) ON audit_subject_keys TO custos_app;
GRANT SELECT, INSERT, UPDATE (retired_at) ON audit_signing_keys TO custos_app;
GRANT USAGE ON SEQUENCE audit_intake_id_seq, audit_verifications_id_seq TO custos_app;
