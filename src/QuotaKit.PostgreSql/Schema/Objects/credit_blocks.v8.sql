-- Credit blocks (issue 15 part 3): balances of units of one feature of one subject, spent once, across periods, after
-- the plan's allowance of a period is used up. A write burns what the plan cannot cover from the blocks usable at its
-- instant (valid_from <= t < valid_until, not spent), in burn order: priority, then the block that ends first (NULL,
-- never ends, last), then the oldest, then the id. Refunds, released and expired holds give units back to the blocks
-- their period burned, in the exact reverse order.
--
-- Lock order, the same for every writer: a counter's expired hold rows, then its counter row, then its blocks in burn
-- order (quotakit.burn_credit_blocks_v8 and quotakit.return_credit_blocks_v8 take them in that order).
CREATE TABLE quotakit.credit_blocks (
    subject_id varchar(256) NOT NULL,
    id uuid NOT NULL,
    feature_key varchar(128) NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    burned bigint NOT NULL DEFAULT 0 CHECK (burned BETWEEN 0 AND amount),
    priority integer NOT NULL DEFAULT 0,
    valid_from timestamptz NOT NULL,
    valid_until timestamptz NULL CHECK (valid_until IS NULL OR valid_until > valid_from),
    source varchar(16) NOT NULL DEFAULT 'grant',
    reason varchar(256) NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_credit_blocks PRIMARY KEY (subject_id, id)
);

-- What every burn reads: the subject's unspent blocks of a feature, in burn order.
CREATE INDEX ix_credit_blocks_burn ON quotakit.credit_blocks (subject_id, feature_key, priority, valid_until, created_at, id)
    WHERE burned < amount;

-- What each period burned from each block, net of what was given back (history's burns; refunds give back from here).
CREATE TABLE quotakit.credit_burns (
    subject_id varchar(256) NOT NULL,
    feature_key varchar(128) NOT NULL,
    period_start timestamptz NOT NULL,
    block_id uuid NOT NULL,
    units bigint NOT NULL CHECK (units >= 0),
    CONSTRAINT pk_credit_burns PRIMARY KEY (subject_id, feature_key, period_start, block_id)
);

-- How many of a period's `used` were drawn from blocks (the plan's share is used - blocks_burned).
ALTER TABLE quotakit.usage_counters ADD COLUMN blocks_burned bigint NOT NULL DEFAULT 0;
