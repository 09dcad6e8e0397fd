package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// Group commit. When SQLite syncs its WAL at every commit, one fsync per
// write request makes the disk, not the CPU, the limit of the store. So
// every write goes to one committer goroutine that owns the write
// connection. It runs each request as it takes it, in one open
// transaction, and commits many requests at once.
//
// A request runs without a savepoint of its own. A savepoint costs a copy
// of every page a request touches (SQLite's sub-journal) on every request,
// to serve a rare case: a request that fails after it has written. Most
// failures write nothing first (a version guard that matches no row, a
// row that is already there, a statement that fails is undone by SQLite
// itself), and for those the transaction goes on as if the request had not
// run. A request that fails after writing, or fails with anything but one
// of the contract's answers or a caller's refusal (a panic, an error of
// the database, which may have ended the transaction), is undone by
// redoing the batch without it: the transaction is rolled back and begun
// again, and the requests that had succeeded in it run again, in the same
// order, on the same committed state, to the same outcome (see redo). So
// a request's work must be a function of what it reads in the transaction:
// it may run more than once, and must set what it hands back to its
// caller, not add to it.
//
// The commit itself does not wait for the disk (the write connection runs
// with synchronous=NORMAL): a second goroutine, the syncer, fsyncs the WAL
// and only then answers the batch's requests, so a request is acknowledged
// only when its commit is on disk. While the syncer waits for the disk,
// the committer goes on running the requests that arrive in the next
// transaction, and commits it when the syncer is free again (or a little
// later, see Lingering): the fsync is off the writer's path, and a batch
// is as big as one fsync's time lets it grow. Answers go out in commit
// order, failures included: an answer may depend on what an earlier batch
// wrote, so none is given before everything before it is durable. A
// failed fsync leaves the disk's contents unknown; the store then refuses
// every write until it is reopened (SQLite reads the WAL from disk again
// then).
//
// Requests run one after the other in the order taken, each seeing the
// ones before it, exactly as if each had been its own transaction in that
// order: a batch changes how often the store fsyncs, never what a request
// sees or decides.
//
// The batch's statements run under the committer's own context, never a
// request's: the driver interrupts a connection whose context ends, and
// SQLite answers an interrupted write by rolling back the whole
// transaction, which would take the other requests of the batch with it.
// A request's context counts only until its work has run: one that ends
// before the request is taken drops it, and one that ends while it runs
// undoes it, as a failure does. After that the caller may stop waiting
// (it gets its context's error), and the request commits or fails with
// its batch regardless.

// Lingering. Committing the moment the syncer is free makes a batch as big
// as one fsync's time lets it grow, which under a steady stream of small
// writes (heartbeats from many workers) is only a few requests: an fsync,
// ~70 µs of kernel time on the disk measured here, and a commit's WAL
// frames for every four or five heartbeats. When writes arrive fast enough
// that a short wait would bring several more, the committer keeps taking
// them for up to lingerMax first. Measured on heartbeats from 32 callers:
// 12–15 % less server CPU per heartbeat, more heartbeats a second, and a
// lower p99 (fewer fsyncs to queue behind). A trickle of writes (a
// dispatch, a lone decision) does not meet the rate and commits at once;
// after a burst, the rate falls back within a few batches.
const (
	// lingerMax bounds the wait: a request's answer is late by at most
	// this.
	lingerMax = 1500 * time.Microsecond
	// lingerBatch is the batch size past which there is no waiting.
	lingerBatch = 24
	// lingerGain is how many more requests lingerMax must be expected to
	// bring, at the recent rate, for the committer to wait at all.
	lingerGain = 4
)

// maxBatch bounds the requests of one transaction. It bounds the wait of
// the last request in a batch, and the WAL frames of one commit; on a
// small machine a batch rarely reaches it.
const maxBatch = 64

// verifyWrites makes new committers check that every request notes its
// writes (see committer.checkWrites); the package's tests set it.
var verifyWrites bool

// errClosed answers calls after Close.
var errClosed = errors.New("sqlite: store is closed")

// errPanicked stands for a panic where an error is wanted.
var errPanicked = errors.New("panicked")

// refusal is an error a caller's own check returned inside a request (a
// fault such as a type already deprecated).
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// refused marks err, returned by a caller's check, as a refusal.
func refused(err error) error { return refusal{err} }

// expected reports whether err is one of the contract's answers or a
// caller's refusal, which a request gives without disturbing the
// transaction (it needs no redo if nothing was written before it), rather
// than an error of the database, which may have ended the transaction.
func expected(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) ||
		errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrLimit) ||
		errors.As(err, new(refusal))
}

func cmpOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// wtx is the batch's transaction as one request sees it: the write
// connection, the write path's prepared statements, and the committer's
// context, which every statement must use. Every write goes through
// write or exec, which note that the request has changed rows: a request
// that fails after that must be undone (see redo).
type wtx struct {
	ctx  context.Context
	conn *sql.Conn
	st   *stmts
	// wrote: the running request has changed at least one row.
	wrote bool
}

// write runs one of the write path's prepared statements.
func (w *wtx) write(stmt *sql.Stmt, args ...any) (sql.Result, error) {
	res, err := stmt.ExecContext(w.ctx, args...)
	w.note(res, err)
	return res, err
}

// exec runs a statement given as text.
func (w *wtx) exec(query string, args ...any) (sql.Result, error) {
	res, err := w.conn.ExecContext(w.ctx, query, args...)
	w.note(res, err)
	return res, err
}

// note records whether a statement that succeeded changed rows.
func (w *wtx) note(res sql.Result, err error) {
	if err != nil || w.wrote {
		return
	}
	// The driver's RowsAffected is a count kept with the result: no call
	// into the database.
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		w.wrote = true
	}
}

func (w *wtx) queryRow(query string, args ...any) *sql.Row {
	return w.conn.QueryRowContext(w.ctx, query, args...)
}

// writeReq is one write waiting for the committer.
type writeReq struct {
	ctx context.Context
	op  string
	// fn is the request's work. It may run more than once (see the notes
	// at the top of this file).
	fn func(*wtx) error
	// done receives the answer; buffered so that the committer never waits
	// for a caller that has stopped listening.
	done chan writeResult
}

type writeResult struct {
	err   error
	panic any // fn panicked: the caller panics again with this
}

// committer is the goroutine that owns the write connection.
type committer struct {
	conn   *sql.Conn
	st     *stmts
	ctx    context.Context // the committer's own; never canceled
	logger *slog.Logger

	queue    chan *writeReq // unbuffered: a send succeeds only when the committer takes it
	stopping chan struct{}  // closed by stop
	stopped  chan struct{}  // closed when the committer and the syncer have exited

	// toSync carries ended batches, in commit order, to the syncer, which
	// puts a token in idle whenever it is free to take one.
	toSync chan *ended
	idle   chan struct{}
	// sync makes everything committed so far durable (an fsync of the
	// WAL).
	sync func() error
	// broken is set, for good, by the first failed sync.
	broken atomic.Pointer[error]
	// syncs counts the syncs done (for tests).
	syncs atomic.Int64

	// batches and writes count the transactions committed (or failed) and
	// the requests run in them: their ratio is the mean batch size.
	batches, writes atomic.Int64
	// waiting counts the callers handing a request over (for tests).
	waiting atomic.Int64
	// rate is the recent rate of requests, per second, and lastEnd when
	// the last batch ended: the committer's own, for lingering.
	rate    float64
	lastEnd time.Time
	// lingered counts the batches that waited (for tests).
	lingered atomic.Int64
	// observer hears of every commit and sync (see backlog.go).
	observer atomic.Pointer[commitObserver]

	// redone counts the batches redone without a request that failed
	// after writing (for tests).
	redone atomic.Int64
	// checkWrites makes every request measure the rows it changed, so
	// that a write not noted in wtx.wrote is caught (set by the package's
	// tests).
	checkWrites bool

	// Prepared on conn: the batch's own statements.
	begin, commit, rollback *sql.Stmt
}

// ended is a batch whose transaction has ended, waiting for its answers
// to be sent.
type ended struct {
	batch   []*writeReq
	results []writeResult
	// wrote: the batch committed writes, which must be durable before
	// anyone hears of them.
	wrote bool
}

// newCommitter makes a committer for conn. sync makes the commits so far
// durable (see the notes at the top of this file).
func newCommitter(ctx context.Context, conn *sql.Conn, st *stmts, sync func() error, logger *slog.Logger) (*committer, error) {
	c := &committer{
		conn:     conn,
		st:       st,
		logger:   logger,
		ctx:      context.WithoutCancel(ctx),
		queue:    make(chan *writeReq),
		stopping: make(chan struct{}),
		stopped:  make(chan struct{}),
		toSync:   make(chan *ended, 1),
		idle:     make(chan struct{}, 1),
		sync:     sync,

		checkWrites: verifyWrites,
	}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		// The write lock is taken at BEGIN, so no statement of a batch
		// fails half-way trying to upgrade a read lock.
		{&c.begin, `BEGIN IMMEDIATE`},
		{&c.commit, `COMMIT`},
		{&c.rollback, `ROLLBACK`},
	} {
		stmt, err := conn.PrepareContext(ctx, p.sql)
		if err != nil {
			c.closeStmts()
			return nil, fmt.Errorf("sqlite: preparing %q: %w", p.sql, err)
		}
		*p.dst = stmt
	}
	return c, nil
}

func (c *committer) closeStmts() {
	for _, s := range []*sql.Stmt{c.begin, c.commit, c.rollback} {
		if s != nil {
			s.Close()
		}
	}
}

// do hands fn to the committer and waits for its answer: nil once the
// batch holding fn's writes has committed durably. The notes at the top of
// this file say what ctx does, and why fn may run more than once.
func (s *Store) do(ctx context.Context, op string, fn func(*wtx) error) error {
	c := s.committer
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	select {
	case <-c.stopping:
		return fmt.Errorf("sqlite: %s: %w", op, errClosed)
	default:
	}
	req := &writeReq{ctx: ctx, op: op, fn: fn, done: make(chan writeResult, 1)}
	c.waiting.Add(1)
	select {
	case c.queue <- req:
		c.waiting.Add(-1)
	case <-ctx.Done():
		c.waiting.Add(-1)
		return fmt.Errorf("sqlite: %s: %w", op, ctx.Err())
	case <-c.stopping:
		c.waiting.Add(-1)
		return fmt.Errorf("sqlite: %s: %w", op, errClosed)
	}
	var res writeResult
	select {
	case res = <-req.done:
	case <-ctx.Done():
		// The answer may have come at the same moment; prefer it.
		select {
		case res = <-req.done:
		default:
			return fmt.Errorf("sqlite: %s: %w (the write was taken and may still commit)", op, ctx.Err())
		}
	}
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// start runs the committer and the syncer until stop.
func (c *committer) start() {
	synced := make(chan struct{})
	go func() {
		defer close(synced)
		c.runSyncer()
	}()
	go func() {
		c.run()
		close(c.toSync)
		<-synced
		close(c.stopped)
	}()
}

// run is the committer's loop. It runs each request as soon as it takes
// it, in the open transaction, and commits when the syncer is free to sync
// the commit at once (or the batch is full), after lingering if writes
// come fast: while an fsync is under way, the next batch grows instead of
// waiting committed. On stop it takes the requests already waiting,
// commits them, and returns.
func (c *committer) run() {
	for {
		var first *writeReq
		select {
		case first = <-c.queue:
		case <-c.stopping:
		}
		if first == nil {
			if waiting := c.takeWaiting(nil); len(waiting) > 0 {
				b := c.newBatch()
				for _, r := range waiting {
					b.add(r)
				}
				<-c.idle
				c.toSync <- b.end()
			}
			return
		}
		b := c.newBatch()
		b.add(first)
		idle := false
		for !idle && len(b.e.batch) < maxBatch && b.abort == nil {
			select {
			case r := <-c.queue:
				b.add(r)
				continue
			default:
			}
			select {
			case r := <-c.queue:
				b.add(r)
			case <-c.idle:
				idle = true
			}
		}
		if !idle {
			<-c.idle
		}
		c.linger(b)
		c.toSync <- b.end()
		c.measureRate(len(b.e.batch))
	}
}

// linger keeps adding requests to b, the syncer being free, for as long
// as waiting is worth it (see lingerMax).
func (c *committer) linger(b *batch) {
	wait := lingerWait(len(b.e.batch), c.rate)
	if wait <= 0 || b.abort != nil {
		return
	}
	c.lingered.Add(1)
	t := time.NewTimer(wait)
	defer t.Stop()
	for len(b.e.batch) < lingerBatch && b.abort == nil {
		select {
		case r := <-c.queue:
			b.add(r)
		case <-t.C:
			return
		case <-c.stopping:
			return
		}
	}
}

// lingerWait is how long a batch of n requests waits for more when they
// come at rate a second: 0 when fewer than lingerGain are expected within
// lingerMax, or the batch is big enough already; else up to lingerMax, or
// as long as lingerBatch should take to fill.
func lingerWait(n int, rate float64) time.Duration {
	if n >= lingerBatch || rate*lingerMax.Seconds() < lingerGain {
		return 0
	}
	return min(lingerMax, time.Duration(float64(lingerBatch-n)/rate*float64(time.Second)))
}

// measureRate folds a batch of n requests, just ended, into c.rate.
func (c *committer) measureRate(n int) {
	now := time.Now()
	if !c.lastEnd.IsZero() {
		if d := now.Sub(c.lastEnd).Seconds(); d > 0 {
			// Smoothed over a few batches: one burst or one pause
			// moves it only a quarter of the way.
			c.rate += (float64(n)/d - c.rate) / 4
		}
	}
	c.lastEnd = now
}

// runSyncer answers ended batches in commit order, each once its writes
// are durable, and tells the committer whenever it is free.
func (c *committer) runSyncer() {
	for {
		c.idle <- struct{}{}
		e, ok := <-c.toSync
		if !ok {
			return
		}
		c.syncAndAnswer(e)
	}
}

// syncAndAnswer makes e's writes durable and answers its requests.
func (c *committer) syncAndAnswer(e *ended) {
	var failed error
	if e.wrote {
		c.syncs.Add(1)
		began := time.Now()
		err := c.sync()
		if o := c.observer.Load(); o != nil {
			o.Synced(time.Since(began))
		}
		if err != nil {
			failed = fmt.Errorf("sqlite: syncing the WAL to disk: %w (writes are refused until the store is reopened)", err)
			c.broken.CompareAndSwap(nil, &failed)
			c.logger.Error("the store can no longer make writes durable", "err", err)
		}
	}
	if p := c.broken.Load(); p != nil && failed == nil {
		// A batch committed after another's sync failed: the disk may not
		// hold what came before it.
		failed = *p
	}
	for i, r := range e.batch {
		res := e.results[i]
		if failed != nil && e.wrote && res.err == nil && res.panic == nil {
			res.err = failed
		}
		r.done <- res
	}
}

// takeWaiting adds to batch the requests whose callers are waiting to hand
// them over, without waiting for more.
func (c *committer) takeWaiting(batch []*writeReq) []*writeReq {
	for len(batch) < maxBatch {
		select {
		case r := <-c.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// batch is the transaction the committer is filling.
type batch struct {
	c     *committer
	w     *wtx
	e     *ended
	begun bool
	began time.Time // when its transaction began, for the observer
	// abort is set when the transaction was lost: it has been rolled
	// back, and what succeeded in it failed with abort.
	abort error
}

func (c *committer) newBatch() *batch {
	return &batch{c: c, w: &wtx{ctx: c.ctx, conn: c.conn, st: c.st}, e: &ended{
		batch:   make([]*writeReq, 0, 8),
		results: make([]writeResult, 0, 8),
	}}
}

// add runs r in the transaction, beginning it if r is the first to run.
func (b *batch) add(r *writeReq) {
	c := b.c
	b.e.batch = append(b.e.batch, r)
	b.e.results = append(b.e.results, writeResult{})
	res := &b.e.results[len(b.e.results)-1]
	switch {
	case r.ctx.Err() != nil:
		// Its caller gave up before it was taken: it is not run.
		res.err = fmt.Errorf("sqlite: %s: %w", r.op, r.ctx.Err())
		return
	case b.abort != nil:
		res.err = b.abort
		return
	case c.broken.Load() != nil:
		res.err = *c.broken.Load()
		return
	}
	if !b.begun {
		if err := b.begin(); err != nil {
			res.err = err
			return
		}
		c.batches.Add(1)
	}
	c.writes.Add(1)
	var undo bool
	*res, undo = c.runOne(b.w, r)
	if undo {
		b.redo(r)
	}
}

// begin begins the batch's transaction.
func (b *batch) begin() error {
	if _, err := b.c.begin.ExecContext(b.c.ctx); err != nil {
		return fmt.Errorf("sqlite: beginning a write transaction: %w", err)
	}
	b.begun, b.began = true, time.Now()
	return nil
}

// runOne runs one request in the open transaction. undo says that the
// transaction must be redone without it: it failed after writing, or in a
// way that may have ended the transaction (an error of the database, a
// panic), or its caller gave up while it ran and it wrote.
func (c *committer) runOne(w *wtx, r *writeReq) (res writeResult, undo bool) {
	var before int64
	if c.checkWrites {
		before = c.totalChanges()
	}
	w.wrote = false
	res = c.call(w, r)
	if res.err == nil && res.panic == nil {
		// A caller whose context ended while its work ran has gone or is
		// going: its write must not happen.
		if err := r.ctx.Err(); err != nil {
			res.err = fmt.Errorf("sqlite: %s: %w", r.op, err)
			return res, w.wrote
		}
		return res, false
	}
	if c.checkWrites && !w.wrote && expected(res.err) {
		if after := c.totalChanges(); after != before {
			panic(fmt.Sprintf("sqlite: %s changed %d rows without noting it, then failed: %v", r.op, after-before, res.err))
		}
	}
	return res, w.wrote || res.panic != nil || !expected(res.err)
}

// totalChanges is the write connection's count of rows changed so far.
func (c *committer) totalChanges() int64 {
	var n int64
	if err := c.conn.QueryRowContext(c.ctx, `SELECT total_changes()`).Scan(&n); err != nil {
		panic(fmt.Sprintf("sqlite: total_changes: %v", err))
	}
	return n
}

// redo undoes failed, the request just run, by rolling the transaction
// back and running again, in a new one, every request of the batch that
// has succeeded so far. They run on the same committed state in the same
// order, so each comes to the same outcome, and the transaction is then
// as if failed had never run. One that does not (the database itself is
// failing) loses the batch.
func (b *batch) redo(failed *writeReq) {
	c := b.c
	c.redone.Add(1)
	c.logger.Debug("redoing a write batch without a failed request", "op", failed.op,
		"err", cmpOr(b.e.results[len(b.e.results)-1].err, errPanicked))
	if _, err := c.rollback.ExecContext(c.ctx); err != nil {
		// The failure may have ended the transaction already.
		c.logger.Debug("rollback before a redo", "err", err)
	}
	b.begun = false
	if err := b.begin(); err != nil {
		b.lose(err)
		return
	}
	for i, r := range b.e.batch[:len(b.e.batch)-1] {
		if res := b.e.results[i]; res.err != nil || res.panic != nil {
			// It failed having written nothing, or was undone.
			continue
		}
		b.w.wrote = false
		res := c.call(b.w, r)
		if res.err != nil || res.panic != nil {
			b.lose(fmt.Errorf("sqlite: %s: redoing it without a failed %s: %w", r.op, failed.op, cmpOr(res.err, errPanicked)))
			return
		}
	}
}

// lose gives up the batch's transaction: it is rolled back, and what
// succeeded in it fails with err.
func (b *batch) lose(err error) {
	b.c.rollbackAll(err)
	b.failAll(err)
	b.abort, b.begun = err, false
}

// failAll is the outcome when the transaction is lost: whatever succeeded
// in it is not on disk.
func (b *batch) failAll(err error) {
	for i := range b.e.results {
		if r := &b.e.results[i]; r.err == nil && r.panic == nil {
			r.err = err
		}
	}
}

// end commits the transaction, if one was begun, and returns what to
// answer.
func (b *batch) end() *ended {
	if !b.begun {
		return b.e
	}
	if _, err := b.c.commit.ExecContext(b.c.ctx); err != nil {
		b.lose(fmt.Errorf("sqlite: committing a batch of %d writes: %w", len(b.e.batch), err))
		return b.e
	}
	b.e.wrote = true
	if o := b.c.observer.Load(); o != nil {
		o.Committed(time.Since(b.began), len(b.e.batch))
	}
	return b.e
}

// call runs r's work, turning a panic into an answer that the caller
// raises again in its own goroutine, where the server's recovery sees it;
// the committer and the batch go on.
func (c *committer) call(w *wtx, r *writeReq) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panic: fmt.Errorf("sqlite: %s panicked in the committer: %v\n%s", r.op, p, debug.Stack())}
		}
	}()
	return writeResult{err: r.fn(w)}
}

// rollbackAll ends a failed batch's transaction, if SQLite has not already.
func (c *committer) rollbackAll(cause error) {
	c.logger.Warn("a write batch failed", "err", cause)
	if _, err := c.rollback.ExecContext(c.ctx); err != nil {
		c.logger.Debug("rollback of a failed batch", "err", err)
	}
}

// stop makes the committer take the requests already waiting, commit them
// and exit, and waits for it.
func (c *committer) stop() {
	close(c.stopping)
	<-c.stopped
}
