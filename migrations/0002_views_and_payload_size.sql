-- 0002: views for the common questions, and the full size of each dead-lettered payload
-- (the excerpt alone cannot tell an oversize message from a short one).

ALTER TABLE dead_letters ADD COLUMN payload_bytes INTEGER CHECK (payload_bytes >= 0);  -- NULL for rows from 0001

-- The newest version of each pipeline, its metrics and the size of its state.
CREATE VIEW latest_versions AS
SELECT v.pipeline, v.id AS version_id, v.parent_id, v.created_at, v.reason, v.events_seen,
       length(v.state) AS state_bytes, v.metrics
FROM model_versions AS v
WHERE v.id = (SELECT max(id) FROM model_versions WHERE pipeline = v.pipeline);

-- Events learned and dead-lettered per partition, as of each pipeline's newest version.
CREATE VIEW events_per_partition AS
SELECT v.pipeline, o.topic, o.partition, o.next_offset, o.events_learned, o.dead_lettered,
       v.id AS version_id
FROM model_versions AS v
JOIN version_offsets AS o ON o.version_id = v.id
WHERE v.id = (SELECT max(id) FROM model_versions WHERE pipeline = v.pipeline);

-- Why input was refused, most frequent first.
CREATE VIEW dead_letter_reasons AS
SELECT pipeline, reason, count(*) AS messages, min(recorded_at) AS first_at, max(recorded_at) AS last_at
FROM dead_letters
GROUP BY pipeline, reason
ORDER BY pipeline, messages DESC, reason;

-- Warnings, drifts and rollbacks of each pipeline in order.
CREATE VIEW drift_timeline AS
SELECT pipeline, detected_at AS at, events_seen, kind, detector, decision, version_id
FROM drift_events
UNION ALL
SELECT pipeline, rolled_back_at, NULL, 'rollback', '',
       'from ' || coalesce(from_version, '-') || ' to ' || to_version || ': ' || reason, version_id
FROM rollbacks
ORDER BY pipeline, at;
