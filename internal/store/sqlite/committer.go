package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	"github.com/openswf/openswf/internal/store"
)

// Group commit. With synchronous=FULL every commit is an fsync of the WAL,
// and one fsync per write request made the disk, not the CPU, the limit of
// the store. So every write goes to one committer goroutine that owns the
// write connection. It takes whatever requests are waiting (up to
// maxBatch), runs each inside its own SAVEPOINT of ONE transaction, rolls
// back only the savepoint of a request that fails, commits once, and only
// then answers each request with its own result: a request is acknowledged
// only when its commit is durable, and requests arriving during an fsync
// share the next one.
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
// rolls back its savepoint. After that the caller may stop waiting (it
// gets its context's error), and the request commits or fails with its
// batch regardless.

// maxBatch bounds the requests of one transaction. It bounds the wait of
// the last request in a batch, and the WAL frames of one commit; on a
// small machine a batch rarely reaches it.
const maxBatch = 64

// errClosed answers calls after Close.
var errClosed = errors.New("sqlite: store is closed")

// errPanicked stands for a panic where an error is wanted.
var errPanicked = errors.New("panicked")

// expected reports whether err is one of the contract's answers, which a
// request gives without disturbing the transaction, rather than a failure
// of the database.
func expected(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) ||
		errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrLimit)
}

func cmpOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// wtx is the batch's transaction as one request sees it: the write
// connection, the write path's prepared statements, and the committer's
// context, which every statement must use.
type wtx struct {
	ctx  context.Context
	conn *sql.Conn
	st   *stmts
}

func (w *wtx) exec(query string, args ...any) (sql.Result, error) {
	return w.conn.ExecContext(w.ctx, query, args...)
}

func (w *wtx) queryRow(query string, args ...any) *sql.Row {
	return w.conn.QueryRowContext(w.ctx, query, args...)
}

// writeReq is one write waiting for the committer.
type writeReq struct {
	ctx context.Context
	op  string
	fn  func(*wtx) error
	// single: fn is one statement, which SQLite undoes by itself when it
	// fails, so it needs no savepoint; a failure other than one of the
	// contract's errors then ends the whole batch (see runOne).
	single bool
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
	stopped  chan struct{}  // closed when the committer has exited

	// batches and writes count the transactions committed (or failed) and
	// the requests run in them: their ratio is the mean batch size.
	batches, writes atomic.Int64
	// waiting counts the callers handing a request over (for tests).
	waiting atomic.Int64

	// Prepared on conn: the batch's own statements.
	begin, commit, rollback, savepoint, release, rollbackTo *sql.Stmt
}

func newCommitter(ctx context.Context, conn *sql.Conn, st *stmts, logger *slog.Logger) (*committer, error) {
	c := &committer{
		conn:     conn,
		st:       st,
		logger:   logger,
		ctx:      context.WithoutCancel(ctx),
		queue:    make(chan *writeReq),
		stopping: make(chan struct{}),
		stopped:  make(chan struct{}),
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
		{&c.savepoint, `SAVEPOINT req`},
		{&c.release, `RELEASE req`},
		{&c.rollbackTo, `ROLLBACK TO req`},
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
	for _, s := range []*sql.Stmt{c.begin, c.commit, c.rollback, c.savepoint, c.release, c.rollbackTo} {
		if s != nil {
			s.Close()
		}
	}
}

// do hands fn to the committer and waits for its answer: nil once the
// batch holding fn's writes has committed durably. single says that fn is
// one statement (see writeReq). The notes at the top of this file say what
// ctx does.
func (s *Store) do(ctx context.Context, op string, single bool, fn func(*wtx) error) error {
	c := s.committer
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	select {
	case <-c.stopping:
		return fmt.Errorf("sqlite: %s: %w", op, errClosed)
	default:
	}
	req := &writeReq{ctx: ctx, op: op, fn: fn, single: single, done: make(chan writeResult, 1)}
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

// run is the committer's loop: wait for a request, take every other
// waiting request up to maxBatch, run and commit them as one batch. On
// stop it takes the requests already waiting, commits them, and exits.
func (c *committer) run() {
	defer close(c.stopped)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		var first *writeReq
		select {
		case first = <-c.queue:
		case <-c.stopping:
		}
		if first != nil {
			batch = append(batch, first)
		}
		batch = c.takeWaiting(batch)
		if len(batch) > 0 {
			c.runBatch(batch)
			clear(batch)
			batch = batch[:0]
		}
		if first == nil {
			return
		}
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

// runBatch runs batch in one transaction and answers every request.
func (c *committer) runBatch(batch []*writeReq) {
	results := make([]writeResult, len(batch))
	// answer sends every result; nothing is answered before the commit's
	// outcome is known.
	answer := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	// failAll is the outcome when the transaction is lost: whatever
	// succeeded in it is not on disk.
	failAll := func(err error) {
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
	}

	// A request whose caller gave up before it was taken is not run.
	live := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = fmt.Errorf("sqlite: %s: %w", r.op, err)
			continue
		}
		live++
	}
	if live == 0 {
		answer()
		return
	}

	c.batches.Add(1)
	c.writes.Add(int64(live))
	if _, err := c.begin.ExecContext(c.ctx); err != nil {
		failAll(fmt.Errorf("sqlite: beginning a write transaction: %w", err))
		answer()
		return
	}
	w := &wtx{ctx: c.ctx, conn: c.conn, st: c.st}
	for i, r := range batch {
		if results[i].err != nil {
			continue
		}
		res, abort := c.runOne(w, r)
		results[i] = res
		if abort != nil {
			c.rollbackAll(abort)
			failAll(abort)
			answer()
			return
		}
	}
	if _, err := c.commit.ExecContext(c.ctx); err != nil {
		err = fmt.Errorf("sqlite: committing a batch of %d writes: %w", live, err)
		c.rollbackAll(err)
		failAll(err)
	}
	answer()
}

// runOne runs one request inside the open transaction. abort is non-nil
// when the transaction itself can no longer be trusted (a savepoint could
// not be rolled back, or a single statement failed unexpectedly): the
// batch is then given up.
func (c *committer) runOne(w *wtx, r *writeReq) (res writeResult, abort error) {
	if !r.single {
		if _, err := c.savepoint.ExecContext(c.ctx); err != nil {
			return writeResult{err: err}, fmt.Errorf("sqlite: %s: opening a savepoint: %w", r.op, err)
		}
	}
	res = c.call(w, r)
	failed := res.err != nil || res.panic != nil
	if r.single {
		if failed && !expected(res.err) {
			// There is no savepoint to go back to, and an error of the
			// database itself may have ended the transaction.
			return res, fmt.Errorf("sqlite: %s: the batch's transaction failed: %w", r.op, cmpOr(res.err, errPanicked))
		}
		// Its one statement has run: a context that ends now changes
		// nothing, as with a request whose savepoint is released.
		return res, nil
	}
	if !failed {
		// A caller whose context ended while its work ran has gone or is
		// going: its write must not happen.
		if err := r.ctx.Err(); err != nil {
			res.err, failed = fmt.Errorf("sqlite: %s: %w", r.op, err), true
		}
	}
	if failed {
		if _, err := c.rollbackTo.ExecContext(c.ctx); err != nil {
			return res, fmt.Errorf("sqlite: %s: rolling back its savepoint: %w", r.op, err)
		}
	}
	// RELEASE after ROLLBACK TO too: ROLLBACK TO keeps the savepoint open.
	if _, err := c.release.ExecContext(c.ctx); err != nil {
		return res, fmt.Errorf("sqlite: %s: releasing its savepoint: %w", r.op, err)
	}
	return res, nil
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
