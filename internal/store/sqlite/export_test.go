package sqlite

// BatchStats returns how many batches the committer has run and how many
// requests were in them.
func (s *Store) BatchStats() (batches, writes int64) {
	return s.committer.batches.Load(), s.committer.writes.Load()
}

// SetSync replaces the syncer's fsync; call it before the store's first
// write.
func (s *Store) SetSync(sync func() error) { s.committer.sync = sync }

// Syncs returns how many syncs the syncer has done.
func (s *Store) Syncs() int64 { return s.committer.syncs.Load() }
