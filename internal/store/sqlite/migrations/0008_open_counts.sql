-- How many runs of each domain are open: SWF refuses a start past a
-- number of open runs per domain, and counting them on every start read
-- one index entry per open run (100,000 at the limit, ~25 ms). The
-- triggers keep the number in the statement that opens, closes or deletes
-- a run, whichever path writes it; the change of a run's state alone
-- (the common write) does not name "open" and fires none of them.
CREATE TABLE open_counts (
	domain TEXT    NOT NULL PRIMARY KEY,
	open   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO open_counts (domain, open)
SELECT domain, COUNT(*) FROM executions WHERE open = 1 GROUP BY domain;

CREATE TRIGGER open_counts_insert AFTER INSERT ON executions
WHEN NEW.open
BEGIN
	INSERT INTO open_counts (domain, open) VALUES (NEW.domain, 1)
	ON CONFLICT (domain) DO UPDATE SET open = open + 1;
END;

CREATE TRIGGER open_counts_update AFTER UPDATE OF open, domain ON executions
WHEN OLD.open IS NOT NEW.open OR (NEW.open AND OLD.domain IS NOT NEW.domain)
BEGIN
	UPDATE open_counts SET open = open - 1 WHERE OLD.open AND domain = OLD.domain;
	INSERT INTO open_counts (domain, open) SELECT NEW.domain, 1 WHERE NEW.open
	ON CONFLICT (domain) DO UPDATE SET open = open + 1;
END;

CREATE TRIGGER open_counts_delete AFTER DELETE ON executions
WHEN OLD.open
BEGIN
	UPDATE open_counts SET open = open - 1 WHERE domain = OLD.domain;
END;
