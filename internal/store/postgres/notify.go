package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// Nodes sharing a database learn of tasks queued by each other through
// PostgreSQL's notifications: once a change that queued tasks has
// committed, the node that made it, when none of its own pollers was
// waiting for them, sends a notification naming the task list and itself;
// every node listens and wakes its own pollers of that task list, which
// then look in the store. (Sent from inside the change's transaction, every
// task would wake a poller on every other node, though nearly always a
// poller of the node that queued it takes it first: in a measurement with
// two nodes that doubled the statements per workflow.)
//
// A notification is a hint, never the truth: one lost (a listener
// reconnecting, a node dying between its commit and its notice) costs a
// waiting poller at most its periodic recheck of the store
// (service.Config.PollRecheck), and one delivered twice or late costs a
// look at the queue. So correctness stays with the tasks table, and a
// database that has no notifications (most PostgreSQL-compatible
// distributed databases) only makes the hand-off between nodes as slow as
// the recheck.

// tasksChannel is the notification channel of queued tasks.
const tasksChannel = "openswf_tasks"

// sqlNotifyTasks sends a notice. pg_notify rather than NOTIFY, which
// takes no parameters.
const sqlNotifyTasks = `SELECT pg_notify('` + tasksChannel + `', $1)`

// newNodeID names this store's process in its notices, so that it can
// ignore its own (its pollers were told already, with the task in hand).
func newNodeID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// notice is the payload of a notification: node, kind, domain and task
// list, separated by tabs, which SWF allows in no name.
func notice(node string, kind store.TaskKind, domain, taskList string) string {
	return node + "\t" + string(kind) + "\t" + domain + "\t" + taskList
}

func parseNotice(payload string) (node string, kind store.TaskKind, domain, taskList string, ok bool) {
	f := strings.Split(payload, "\t")
	if len(f) != 4 || (f[1] != string(store.DecisionTask) && f[1] != string(store.ActivityTask)) {
		return "", "", "", "", false
	}
	return f[0], store.TaskKind(f[1]), f[2], f[3], true
}

// NotifyTasks tells the other nodes that tasks were queued on a task list.
// It implements store.TaskListener.
func (s *Store) NotifyTasks(ctx context.Context, kind store.TaskKind, domain, taskList string) error {
	if _, err := s.pool.Exec(ctx, sqlNotifyTasks, notice(s.node, kind, domain, taskList)); err != nil {
		return s.dbErr(ctx, "notify of queued tasks", err)
	}
	return nil
}

// listenRetry spaces out attempts to listen again after the connection
// is lost (a database restart): soon enough that few hints are lost.
const listenRetry = 500 * time.Millisecond

// ListenTasks calls queued with each task list another node queued tasks
// on, as the notifications arrive, until ctx ends. It holds one connection
// of its own, outside the pool, and opens another when that one fails.
// It implements store.TaskListener.
func (s *Store) ListenTasks(ctx context.Context, queued func(kind store.TaskKind, domain, taskList string), listening func()) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, queued, listening)
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("listening for other nodes' tasks: connection lost; listening again", "err", err)
		t := time.NewTimer(listenRetry)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (s *Store) listenOnce(ctx context.Context, queued func(store.TaskKind, string, string), listening func()) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// Out of the pool for good: a listening session must not serve
	// transactions, and it is closed rather than returned.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+tasksChannel); err != nil {
		return err
	}
	s.listening.Store(true)
	defer s.listening.Store(false)
	if listening != nil {
		listening()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		node, kind, domain, taskList, ok := parseNotice(n.Payload)
		if !ok || node == s.node {
			continue
		}
		queued(kind, domain, taskList)
	}
}

var _ store.TaskListener = (*Store)(nil)
