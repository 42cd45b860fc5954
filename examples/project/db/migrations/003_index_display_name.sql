-- Build the index without blocking writes. The runner executes this file statement by statement, outside a
-- transaction block, as CONCURRENTLY requires; a failed build leaves an INVALID index, so drop it and retry.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_display_name ON users (display_name);
