package store

import "time"

// CommitObserver hears how a backend's writes go, for metrics. It is called
// on the write path, so it must be quick and safe for concurrent use.
type CommitObserver interface {
	// Committed reports one write transaction: how many write requests it
	// held (always 1 where each write is its own transaction), and how long
	// it took from its beginning to the end of its commit.
	Committed(d time.Duration, writes int)
	// Synced reports one fsync of the write-ahead log, where the backend
	// makes it itself (SQLite's syncer); PostgreSQL's own fsyncs are not
	// visible to a client.
	Synced(d time.Duration)
}

// Observable is a backend that can report its writes. The observer may be
// set at any time, once; until then nothing is reported.
type Observable interface {
	ObserveCommits(CommitObserver)
}
