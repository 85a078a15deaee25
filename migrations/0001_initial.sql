-- 0001: the tables of the checkpoint store.
-- Times are ISO-8601 UTC text with milliseconds (2026-11-29T16:40:00.123Z); structure is JSON text.

-- One row per `eddy run` of a pipeline.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    pipeline    TEXT NOT NULL CHECK (pipeline <> ''),
    config      TEXT NOT NULL CHECK (json_valid(config)),   -- the pipeline as run, secrets removed
    started_at  TEXT NOT NULL,
    stopped_at  TEXT,
    stop_reason TEXT
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, id);

-- One row per saved model: the state blob and everything needed to resume from it.
CREATE TABLE model_versions (
    id          INTEGER PRIMARY KEY,
    pipeline    TEXT NOT NULL CHECK (pipeline <> ''),
    run_id      INTEGER NOT NULL REFERENCES runs (id),
    parent_id   INTEGER REFERENCES model_versions (id),
    created_at  TEXT NOT NULL,
    reason      TEXT NOT NULL
                CHECK (reason IN ('periodic', 'shutdown', 'revoke', 'drift-swap', 'rollback', 'replay', 'manual')),
    events_seen INTEGER NOT NULL CHECK (events_seen >= 0),
    offsets     TEXT NOT NULL CHECK (json_valid(offsets)),  -- [{"topic":..,"partition":..,"next_offset":..}]
    state       BLOB NOT NULL,                              -- learner + optimizer + detector + metrics (EddyCodec)
    metrics     TEXT NOT NULL CHECK (json_valid(metrics))   -- {"name": value} at save time
);
CREATE INDEX model_versions_by_pipeline ON model_versions (pipeline, id);

-- Per version and partition: where to resume and how much was learned (cumulative).
CREATE TABLE version_offsets (
    version_id     INTEGER NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
    topic          TEXT NOT NULL,
    partition      INTEGER NOT NULL CHECK (partition >= 0),
    next_offset    INTEGER NOT NULL CHECK (next_offset >= 0),
    events_learned INTEGER NOT NULL CHECK (events_learned >= 0),
    dead_lettered  INTEGER NOT NULL CHECK (dead_lettered >= 0),
    PRIMARY KEY (version_id, topic, partition)
) WITHOUT ROWID;

-- Metric time series; each point is written with the checkpoint that follows it.
CREATE TABLE metrics (
    id          INTEGER PRIMARY KEY,
    pipeline    TEXT NOT NULL,
    run_id      INTEGER NOT NULL REFERENCES runs (id),
    version_id  INTEGER REFERENCES model_versions (id) ON DELETE CASCADE,
    recorded_at TEXT NOT NULL,
    events_seen INTEGER NOT NULL CHECK (events_seen >= 0),
    window      TEXT NOT NULL CHECK (window IN ('cumulative', 'rolling')),
    name        TEXT NOT NULL,
    value       REAL                                        -- NULL when the metric was NaN
);
CREATE INDEX metrics_by_pipeline ON metrics (pipeline, name, events_seen);

CREATE TABLE drift_events (
    id          INTEGER PRIMARY KEY,
    pipeline    TEXT NOT NULL,
    version_id  INTEGER REFERENCES model_versions (id) ON DELETE CASCADE,
    detected_at TEXT NOT NULL,
    events_seen INTEGER NOT NULL CHECK (events_seen >= 0),
    detector    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('warning', 'drift')),
    decision    TEXT NOT NULL
);
CREATE INDEX drift_events_by_pipeline ON drift_events (pipeline, events_seen);

CREATE TABLE rollbacks (
    id             INTEGER PRIMARY KEY,
    pipeline       TEXT NOT NULL,
    version_id     INTEGER REFERENCES model_versions (id) ON DELETE CASCADE,  -- the checkpoint that recorded it
    from_version   INTEGER REFERENCES model_versions (id),
    to_version     INTEGER NOT NULL REFERENCES model_versions (id),
    rolled_back_at TEXT NOT NULL,
    reason         TEXT NOT NULL
);
CREATE INDEX rollbacks_by_pipeline ON rollbacks (pipeline, id);

-- Input that was not learned from, with why.
CREATE TABLE dead_letters (
    id              INTEGER PRIMARY KEY,
    pipeline        TEXT NOT NULL,
    version_id      INTEGER REFERENCES model_versions (id) ON DELETE CASCADE,
    topic           TEXT NOT NULL,
    partition       INTEGER NOT NULL CHECK (partition >= 0),
    offset          INTEGER NOT NULL CHECK (offset >= 0),
    reason          TEXT NOT NULL CHECK (reason <> ''),
    payload_excerpt TEXT NOT NULL,                          -- first 256 bytes, invalid UTF-8 replaced
    recorded_at     TEXT NOT NULL
);
CREATE INDEX dead_letters_by_pipeline ON dead_letters (pipeline, topic, partition, offset);
