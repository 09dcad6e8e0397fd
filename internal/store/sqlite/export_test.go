package sqlite

// BatchStats returns how many batches the committer has run and how many
// requests were in them.
func (s *Store) BatchStats() (batches, writes int64) {
	return s.committer.batches.Load(), s.committer.writes.Load()
}
