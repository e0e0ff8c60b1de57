-- Fulfilment of data-subject requests (issue 6): what access, portability and erasure need to reach
-- a subject's data. Expand only: the release before this one neither reads nor needs any of it.

-- A patient's telemetry, in the order exports and erasure page through it (measured_at, device_id,
-- seq: the partition key first). Without it, each batch of an export or an erasure would read every
-- daily partition. Partial: operational telemetry (no patient) is never looked up this way.
-- On a large existing table, build it per partition with CREATE INDEX CONCURRENTLY first (see the
-- runbook in docs/); PostgreSQL then attaches those indexes instead of building them under a lock.
CREATE INDEX telemetry_patient_idx ON telemetry (patient_id, measured_at, device_id, seq)
  WHERE patient_id IS NOT NULL;

-- Erasure deletes a person's failed-claim counters (data map: device_claim_throttle, erasure delete).
GRANT DELETE ON device_claim_throttle TO custos_app;
