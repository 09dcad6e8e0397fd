package service

import (
	"context"
	"log/slog"
	"sync"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
)

// nodes is this node's side of the word between nodes that share a store
// (store.TaskListener, PostgreSQL's notifications): it announces the tasks
// queued here that no poller of this node was waiting for, and wakes this
// node's pollers when another node announces some.
//
// Only unclaimed tasks are announced: a task a local poller was offered is
// nearly always started by it, and telling every other node would send one
// of their pollers to the queue for nothing. Announcements leave the
// request's path: they queue here and a goroutine sends them, several of
// one task list sent once. All of it is a hint — a poller also looks at
// the store every PollRecheck — so an announcement that cannot be queued
// or sent is dropped.
type nodes struct {
	store store.TaskListener

	mu      sync.Mutex
	pending map[matching.Key]bool
	wake    chan struct{}
}

func newNodes(l store.TaskListener) *nodes {
	return &nodes{store: l, pending: map[matching.Key]bool{}, wake: make(chan struct{}, 1)}
}

// maxPending bounds the task lists waiting to be announced.
const maxPending = 4096

// announce queues word of tasks queued on k for the other nodes.
func (s *Service) announce(k matching.Key) {
	n := s.nodes
	if n == nil {
		return
	}
	n.mu.Lock()
	if len(n.pending) < maxPending {
		n.pending[k] = true
	}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// run listens for other nodes' announcements and sends this node's, until
// ctx ends.
func (n *nodes) run(ctx context.Context, m *matching.Matcher, logger *slog.Logger) {
	var wg sync.WaitGroup
	wg.Go(func() {
		n.store.ListenTasks(ctx, func(kind store.TaskKind, domain, taskList string) {
			m.Notify(matching.Key{Kind: kind, Domain: domain, TaskList: taskList})
		}, func() {
			// Listening (again): whatever was announced before may have
			// been missed, so every waiting poller looks once.
			m.NotifyAll()
		})
	})
	defer wg.Wait()
	for {
		select {
		case <-n.wake:
		case <-ctx.Done():
			return
		}
		n.mu.Lock()
		keys := make([]matching.Key, 0, len(n.pending))
		for k := range n.pending {
			keys = append(keys, k)
		}
		clear(n.pending)
		n.mu.Unlock()
		for _, k := range keys {
			if err := n.store.NotifyTasks(ctx, k.Kind, k.Domain, k.TaskList); err != nil && ctx.Err() == nil {
				logger.Debug("announcing queued tasks to other nodes", "err", err)
			}
		}
	}
}
