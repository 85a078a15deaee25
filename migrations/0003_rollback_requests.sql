-- 0003: manual rollbacks. `eddy rollback --to V` leaves a request here; the running `eddy run`
-- of the pipeline (or the next one to start) applies it at its next batch, saves the restored
-- model as a new version descending from V, and fills in applied_version in that same transaction.

CREATE TABLE rollback_requests (
    id              INTEGER PRIMARY KEY,
    pipeline        TEXT NOT NULL CHECK (pipeline <> ''),
    to_version      INTEGER NOT NULL REFERENCES model_versions (id),
    requested_at    TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason <> ''),
    applied_version INTEGER REFERENCES model_versions (id),  -- NULL while pending
    applied_at      TEXT,                                     -- when it was applied or refused
    refusal         TEXT                                      -- why it could not be applied (e.g. the version's learner differs from the pipeline's)
);
CREATE INDEX rollback_requests_pending ON rollback_requests (pipeline, id) WHERE applied_at IS NULL;
