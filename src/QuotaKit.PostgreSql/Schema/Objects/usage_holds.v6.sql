-- Reservations (issue 15): a hold is units taken from a counter now, for work whose cost is known only at the end, and
-- settled later by a commit (the actual amount replaces the hold) or a release (the hold is given back). A hold's units
-- are part of the counter's `used` from the moment it is granted, so every decision (single, batched, coalesced)
-- counts it against the limit without knowing about holds. An expired hold stops counting at the next write to its
-- counter or a settle of it: that write releases it first, in its own transaction, so no background job is needed.
--
-- Lock order, the same for every writer so that none can deadlock another: a counter's expired hold rows (sorted by
-- id), then its counter row. A settle locks its one hold row, then the counter.
CREATE TABLE quotakit.usage_holds (
    subject_id text NOT NULL,
    id uuid NOT NULL,
    feature_key text NOT NULL,
    period_start timestamptz NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    expires_at timestamptz NOT NULL,
    -- 'held' until settled; then 'committed' (settled_amount = the actual amount), 'released' or 'expired'.
    state text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'committed', 'released', 'expired')),
    settled_amount bigint,
    created_at timestamptz NOT NULL,
    settled_at timestamptz,
    CONSTRAINT pk_usage_holds PRIMARY KEY (subject_id, id)
);

-- What every write probes: the holds of its counter still counting. Settled rows are not in it, so it stays small.
CREATE INDEX ix_usage_holds_held ON quotakit.usage_holds (subject_id, feature_key, expires_at) WHERE state = 'held';
-- The purge of settled holds (ForgetIdempotencyKeysAsync).
CREATE INDEX ix_usage_holds_settled ON quotakit.usage_holds (settled_at) WHERE state <> 'held';
