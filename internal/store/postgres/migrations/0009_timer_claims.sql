-- Several nodes fire the timers of one database. A node claims the due
-- timers it is about to fire for a lease (claim_until, UTC milliseconds),
-- and the others pass them by until the lease ends: so each timer is
-- fired by one node, and a node that dies while firing loses none, as its
-- claims simply end. The change that fires a timer deletes its row or
-- re-arms it (which clears the claim).
ALTER TABLE timers ADD COLUMN claim_until bigint;

-- When a timer is next of interest: when it is due, or, while claimed,
-- when its claim ends. Claims and the next wake-up read this order.
CREATE INDEX timers_by_due ON timers ((GREATEST(fire_at, COALESCE(claim_until, 0))), run_id, key);
