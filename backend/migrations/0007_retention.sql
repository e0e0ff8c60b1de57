-- Retention and legal holds (issue 6), expand only: the release before this one keeps working.

-- Which tenant a retention run covered and which daily slot it was. A scheduled run covers every
-- tenant (tenant_id NULL) and belongs to one daily slot; a manual run by a privacy officer covers
-- their tenant only. Rows written by the release before have neither and read as unscheduled runs
-- over every tenant.
ALTER TABLE retention_runs
  -- The tenant a manual run was limited to; NULL: every tenant (the scheduled daily run).
  ADD COLUMN tenant_id uuid REFERENCES tenants (id),
  -- The daily slot (UTC date) of a scheduled run: one run per slot, however many instances schedule it.
  ADD COLUMN slot date UNIQUE;
CREATE INDEX retention_runs_tenant_idx ON retention_runs (tenant_id, started_at DESC);

-- When a hold's reason, matter or owner last changed (the API's updatedAt). The release before
-- does not set it on update; it then shows the placement or an earlier change.
ALTER TABLE legal_holds ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
GRANT UPDATE (updated_at) ON legal_holds TO custos_app;
CREATE INDEX legal_holds_tenant_created_idx ON legal_holds (tenant_id, created_at DESC, id);
