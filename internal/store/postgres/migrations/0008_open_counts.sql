-- How many runs of each domain are open: SWF refuses a start past a
-- number of open runs per domain, and counting them on every start read
-- one index entry per open run (100,000 at the limit). The trigger keeps
-- the number in the statement that opens, closes or deletes a run. One
-- row per domain would be a lock every start and close of the domain
-- waits for across nodes, so each domain's number is spread over 16 rows
-- (by a character of the run id) and read as their sum.
CREATE TABLE open_counts (
	domain text COLLATE "C" NOT NULL,
	shard  smallint NOT NULL,
	open   bigint   NOT NULL,
	PRIMARY KEY (domain, shard)
);

INSERT INTO open_counts (domain, shard, open)
SELECT domain, 0, COUNT(*) FROM executions WHERE open GROUP BY domain;

CREATE FUNCTION open_counts_add(d text, run_id text, delta bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO open_counts (domain, shard, open) VALUES (d, ascii(right(run_id, 1)) % 16, delta)
	ON CONFLICT (domain, shard) DO UPDATE SET open = open_counts.open + excluded.open;
$$;

CREATE FUNCTION open_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.open
		AND (TG_OP = 'DELETE' OR NOT NEW.open OR OLD.domain IS DISTINCT FROM NEW.domain) THEN
		PERFORM open_counts_add(OLD.domain, OLD.run_id, -1);
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.open
		AND (TG_OP = 'INSERT' OR NOT OLD.open OR OLD.domain IS DISTINCT FROM NEW.domain) THEN
		PERFORM open_counts_add(NEW.domain, NEW.run_id, 1);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER open_counts_insert AFTER INSERT ON executions
FOR EACH ROW WHEN (NEW.open) EXECUTE FUNCTION open_counts_sync();
CREATE TRIGGER open_counts_update AFTER UPDATE OF open, domain ON executions
FOR EACH ROW WHEN (OLD.open IS DISTINCT FROM NEW.open OR (NEW.open AND OLD.domain IS DISTINCT FROM NEW.domain))
EXECUTE FUNCTION open_counts_sync();
CREATE TRIGGER open_counts_delete AFTER DELETE ON executions
FOR EACH ROW WHEN (OLD.open) EXECUTE FUNCTION open_counts_sync();
