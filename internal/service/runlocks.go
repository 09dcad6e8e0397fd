package service

import "sync"

// runLocks lets the commands this node runs on one run wait for each other
// instead of racing. The store's version check keeps runs consistent either
// way, but a run that many callers hit at once (signals from many senders,
// say) would otherwise have each of them load, compute, lose the commit and
// try again, and the unlucky ones run out of tries. Commands from other
// nodes still meet only the version check; they are few.
type runLocks struct {
	mu    sync.Mutex
	locks map[string]*runLock
}

type runLock struct {
	sync.Mutex
	waiters int // holders and waiters; the entry goes when it reaches 0
}

// lock locks the run with this id and returns its unlock.
func (l *runLocks) lock(runID string) (unlock func()) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*runLock)
	}
	rl := l.locks[runID]
	if rl == nil {
		rl = &runLock{}
		l.locks[runID] = rl
	}
	rl.waiters++
	l.mu.Unlock()
	rl.Lock()
	return func() {
		rl.Unlock()
		l.mu.Lock()
		if rl.waiters--; rl.waiters == 0 {
			delete(l.locks, runID)
		}
		l.mu.Unlock()
	}
}
