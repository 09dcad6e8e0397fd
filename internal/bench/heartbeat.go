package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
)

// setupPollsPerTask bounds a setup's polls: each worker of a collection
// polls at most this many times per task it collects.
const setupPollsPerTask = 8

// runHeartbeat sets up cfg.Tasks started activity tasks, then has
// cfg.Concurrency callers heartbeat them round robin for cfg.Duration.
func runHeartbeat(ctx context.Context, cfg Config) (Result, error) {
	setupWorkers := min(cfg.Tasks, max(cfg.Concurrency, 4))
	e, err := newEnv(ctx, cfg, cfg.Concurrency+setupWorkers)
	if err != nil {
		return Result{}, err
	}
	ids := make([]string, cfg.Tasks)
	for i := range ids {
		ids[i] = e.workflowID(int64(i))
	}
	tokens, err := e.startedActivities(ctx, ids, setupWorkers)
	// Whatever was started is closed, also after a failed setup.
	defer e.terminate(ctx, ids)
	if err != nil {
		return Result{}, fmt.Errorf("setting up %d activity tasks: %w", cfg.Tasks, err)
	}
	cfg.logger().Info("bench: activity tasks started; heartbeating", "tasks", len(tokens))

	details := aws.String(strings.Repeat("h", cfg.DetailsSize))
	var turn atomic.Uint64
	return measure(ctx, cfg, "heartbeats", func(ctx context.Context, rec *recorder, due time.Time) {
		token := tokens[(turn.Add(1)-1)%uint64(len(tokens))]
		t0 := time.Now()
		_, err := e.client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: details})
		if err != nil {
			rec.fail(opHeartbeat, err)
			return
		}
		end := time.Now()
		rec.ok(opHeartbeat, end.Sub(t0))
		rec.done(end.Sub(due))
	})
}

// startedActivities starts a workflow for each of ids, schedules one activity
// in each, and starts those activities, returning their task tokens.
func (e *env) startedActivities(ctx context.Context, ids []string, workers int) ([]*string, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.SetupTimeout)
	defer cancel()
	n := len(ids)
	log := e.cfg.logger()
	log.Info("bench: starting workflows", "count", n)
	err := forEach(ctx, n, workers, func(ctx context.Context, i int) error {
		_, err := e.start(ctx, ids[i])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("starting workflows: %w", err)
	}
	log.Info("bench: scheduling activities")
	maxPolls := setupPollsPerTask * n
	err = collect(ctx, n, workers, maxPolls, func(ctx context.Context) (bool, error) {
		task, err := e.pollDecision(ctx, false)
		if err != nil || task.TaskToken == nil {
			return false, err
		}
		return true, e.decide(ctx, task.TaskToken, e.schedule(aws.ToString(task.WorkflowExecution.WorkflowId)))
	})
	if err != nil {
		return nil, fmt.Errorf("scheduling activities: %w", err)
	}
	log.Info("bench: starting activities")
	var mu sync.Mutex // guards tokens
	tokens := make([]*string, 0, n)
	err = collect(ctx, n, workers, maxPolls, func(ctx context.Context) (bool, error) {
		task, err := e.pollActivity(ctx)
		if err != nil || task.TaskToken == nil {
			return false, err
		}
		mu.Lock()
		tokens = append(tokens, task.TaskToken)
		mu.Unlock()
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("starting activities: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return tokens, nil
}
