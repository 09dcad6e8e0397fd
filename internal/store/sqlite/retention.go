package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// Retention on SQLite: every write holds the one writer, so a deletion
// must be cut into transactions short enough that the requests queued
// behind it do not notice. Runs are small in the common case (tens of
// events), and a batch takes whole runs until their events would pass
// retentionEvents. A run longer than that on its own (SWF allows 25,000
// events) is deleted in two steps, so that no transaction removes more
// than retentionEvents rows of history:
//
//  1. one transaction moves the run into the domain "" — a name no SWF
//     domain can have (the model asks for at least one character), so
//     from that commit on no domain's lookup, list or count can find it:
//     to every caller it is gone, in one step;
//  2. transactions of at most retentionEvents events each delete its
//     history, oldest first, and a last one its remaining rows.
//
// A crash between the two leaves a hidden run with part of its history,
// which nobody can see; the next DeleteClosed finishes it first (it finds
// the hidden runs by the domain prefix of executions_by_start). So a sweep
// interrupted at any instant resumes without deleting anything twice or
// anything it should keep.

// DefaultRetentionEvents is how many history events one deletion
// transaction removes at most. Deleting 500 events of a few hundred
// bytes each takes the writer a few milliseconds on a small machine
// (BENCHMARKS.md, "Retention").
const DefaultRetentionEvents = 500

// hiddenDomain is where a run waits while its history is deleted.
const hiddenDomain = ""

// sqlClosedBefore picks the runs DeleteClosed deletes: closed runs of a
// domain closed before a time, oldest first, that owe no work (no timer
// rows), with the length of each one's history (the last event id: ids
// are dense from 1; one probe of the history's primary key). The pick is
// a range scan of executions_by_close_time (domain, open, closed_at,
// run_id) of migration 0005 in its own order, with no sort ("open = 0",
// not "NOT open": SQLite takes the bare column for a truth test, which
// no index serves); each candidate's timers are one probe of the timers'
// primary key.
const sqlClosedBefore = `SELECT run_id,
		COALESCE((SELECT MAX(event_id) FROM history_events h WHERE h.run_id = executions.run_id), 0)
	FROM executions INDEXED BY executions_by_close_time
	WHERE domain = ? AND open = 0 AND closed_at < ?
		AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = executions.run_id)
	ORDER BY closed_at, run_id LIMIT ?`

// sqlHidden finds a run whose deletion began and did not finish.
const sqlHidden = `SELECT run_id FROM executions WHERE domain = '' LIMIT 1`

// runTables are the tables whose rows hang off a run (by run_id), deleted
// before the run's own row.
var runTables = []string{"history_events", "tasks", "timers", "activities"}

// DeleteClosed implements store.RetentionStore. Each step is one write
// request of the committer, so other writes interleave between them.
func (s *Store) DeleteClosed(ctx context.Context, domain string, closedBefore time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := s.purgeHidden(ctx); err != nil {
		return nil, err
	}
	budget := s.retentionEvents
	if budget <= 0 {
		budget = DefaultRetentionEvents
	}
	var (
		deleted []string
		long    string // a run too long for one transaction, now hidden
	)
	err := s.do(ctx, "delete closed runs", func(w *wtx) error {
		const op = "delete closed runs"
		deleted, long = deleted[:0], ""
		rows, err := w.conn.QueryContext(w.ctx, sqlClosedBefore, domain, columns.Millis(closedBefore), limit)
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		events := 0
		for rows.Next() {
			var (
				id string
				n  int
			)
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return s.dbErr(w.ctx, op, err)
			}
			if len(deleted) > 0 && events+n > budget {
				break
			}
			events += n
			deleted = append(deleted, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		if len(deleted) == 0 {
			return nil
		}
		if events > budget {
			// One run, too long for one transaction: hide it now, delete
			// its history after this commit.
			long = deleted[0]
			if _, err := w.exec(`UPDATE executions SET domain = ? WHERE NOT open AND run_id = ?`, hiddenDomain, long); err != nil {
				return s.dbErr(w.ctx, op, err)
			}
			return nil
		}
		if err := deleteRuns(w, deleted); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if long != "" {
		if err := s.purge(ctx, long, budget); err != nil {
			return nil, err
		}
	}
	return deleted, nil
}

// deleteRuns deletes closed runs whole, with every row that hangs off them.
func deleteRuns(w *wtx, ids []string) error {
	in := `(?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for _, table := range runTables {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE run_id IN `+in, args...); err != nil {
			return err
		}
	}
	// "NOT open" again: the rows were picked in this very transaction, but
	// the guard costs nothing and keeps an open run safe whatever the pick
	// says.
	_, err := w.exec(`DELETE FROM executions WHERE NOT open AND run_id IN `+in, args...)
	return err
}

// purgeHidden finishes the deletions a crash interrupted.
func (s *Store) purgeHidden(ctx context.Context) error {
	budget := s.retentionEvents
	if budget <= 0 {
		budget = DefaultRetentionEvents
	}
	for {
		var id string
		switch err := s.read.QueryRowContext(ctx, sqlHidden).Scan(&id); {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return s.dbErr(ctx, "finding runs left half-deleted", err)
		}
		if err := s.purge(ctx, id, budget); err != nil {
			return err
		}
	}
}

// purge deletes a hidden run's history, at most budget events per
// transaction, oldest first, then the run itself.
func (s *Store) purge(ctx context.Context, runID string, budget int) error {
	const op = "delete a long closed run"
	for done := false; !done; {
		err := s.do(ctx, op, func(w *wtx) error {
			res, err := w.exec(`DELETE FROM history_events WHERE run_id = ?1
				AND event_id < COALESCE((SELECT MIN(event_id) FROM history_events WHERE run_id = ?1), 0) + ?2`, runID, budget)
			if err != nil {
				return s.dbErr(w.ctx, op, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return s.dbErr(w.ctx, op, err)
			}
			if n > 0 {
				return nil
			}
			done = true
			if err := deleteRuns(w, []string{runID}); err != nil {
				return s.dbErr(w.ctx, op, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var _ store.RetentionStore = (*Store)(nil)
