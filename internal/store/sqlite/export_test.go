package sqlite

import "testing"

// Every committer of the package's tests checks that requests note their
// writes, the conformance suite's included.
func init() { verifyWrites = true }

// SkipWriteChecks turns the write checks off, so that benchmarks measure
// the store as it runs; call it before the store's first write.
func (s *Store) SkipWriteChecks() { s.committer.checkWrites = false }

// Redone returns how many batches were redone without a failed request.
func (s *Store) Redone() int64 { return s.committer.redone.Load() }

// BatchStats returns how many batches the committer has run and how many
// requests were in them.
func (s *Store) BatchStats() (batches, writes int64) {
	return s.committer.batches.Load(), s.committer.writes.Load()
}

// Lingered returns how many batches waited for more requests.
func (s *Store) Lingered() int64 { return s.committer.lingered.Load() }

// SetSync replaces the syncer's fsync; call it before the store's first
// write.
func (s *Store) SetSync(sync func() error) { s.committer.sync = sync }

// Syncs returns how many syncs the syncer has done.
func (s *Store) Syncs() int64 { return s.committer.syncs.Load() }

// SetRetentionEvents sets how many history events one retention
// transaction deletes at most.
func (s *Store) SetRetentionEvents(n int) { s.retentionEvents = n }

// HalfDelete leaves a run as a crash would in the middle of deleting a
// long run: hidden, with its first events deleted.
func (s *Store) HalfDelete(t *testing.T, runID string, events int) {
	t.Helper()
	err := s.do(t.Context(), "half-delete", func(w *wtx) error {
		if _, err := w.exec(`UPDATE executions SET domain = ? WHERE run_id = ?`, hiddenDomain, runID); err != nil {
			return err
		}
		_, err := w.exec(`DELETE FROM history_events WHERE run_id = ? AND event_id <= ?`, runID, events)
		return err
	})
	if err != nil {
		t.Fatalf("half-deleting %s: %v", runID, err)
	}
}
