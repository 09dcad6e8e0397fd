// Package worker runs Amazon SWF activity workers and deciders against
// openswf (or Amazon SWF itself) with aws-sdk-go-v2.
//
// An [ActivityWorker] polls one task list and runs the function registered
// for each task's activity type, at most Options.Concurrency at once. While a
// function runs, the worker heartbeats for it on its own, at an interval
// derived from the task's heartbeat timeout, sending the latest progress the
// function reported with [ActivityTask.Progress]. A cancel request or a
// timed-out task reaches the function as the cancellation of its context.
// Every task the worker takes is answered (completed, failed or canceled)
// unless SWF says it is gone.
//
// A [Decider] polls one decision task list, reads each task's whole history
// (every page of it) and hands it to a [DecisionFunc] as a [DecisionTask]
// with helpers that summarize it (the workflow's input, each activity,
// timer and child by id); the function answers with decisions built by the
// constructors of this package ([ScheduleActivity], [CompleteWorkflow], …).
//
// The decision constructors set every field SWF requires and leave the
// optional ones unset (SWF then takes the type's defaults); set those on the
// returned decision's attributes:
//
//	d := worker.ScheduleActivity("charge", "charge-card", "1", order)
//	d.ScheduleActivityTaskDecisionAttributes.HeartbeatTimeout = aws.String("30")
//
// An empty optional string (input, details, run id) is left out rather than
// sent empty. Results, reasons and details are cut to SWF's limits (32768,
// 256 and 32768 characters), so that a long error message cannot make a
// decision invalid.
//
// Both stop on the cancellation of the context given to Run: they stop
// polling, let the tasks they hold finish (up to Options.DrainTimeout), and
// answer them.
package worker
