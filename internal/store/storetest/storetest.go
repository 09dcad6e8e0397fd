// Package storetest is the conformance suite of the store contract: every
// backend runs the same tests, so that the service behaves alike whichever
// database holds its state.
//
// A backend's test calls Run with a function that makes a fresh, empty
// database:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) func() store.Store {
//			path := filepath.Join(t.TempDir(), "db")
//			return func() store.Store { return mustOpen(t, path) }
//		})
//	}
package storetest

import (
	"testing"

	"github.com/openswf/openswf/internal/store"
)

// Backend makes a fresh, empty database for the test t and returns open,
// which opens a store on that database each time it is called, reporting
// failures through t. The suite closes what open returns, and calls open
// again after Close to check that state survives a restart.
type Backend func(t *testing.T) (open func() store.Store)

// Run runs the conformance suite against the backend. The tests run in
// parallel, each against its own database.
func Run(t *testing.T, backend Backend) {
	tests := []struct {
		name string
		run  func(*testing.T, Backend)
	}{
		{"CreateDomain", testCreateDomain},
		{"GetDomain", testGetDomain},
		{"UpdateDomain", testUpdateDomain},
		{"DeprecateDomain", testDeprecateDomain},
		{"ListDomains", testListDomains},
		{"ListDomainsPaging", testListDomainsPaging},
		{"CreateType", testCreateType},
		{"GetType", testGetType},
		{"UpdateType", testUpdateType},
		{"DeleteType", testDeleteType},
		{"ListTypes", testListTypes},
		{"ListTypesPaging", testListTypesPaging},
		{"Tags", testTags},
		{"Times", testTimes},
		{"Config", testConfig},
		{"Secret", testSecret},
		{"Reopen", testReopen},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Canceled", testCanceled},
		{"Closed", testClosed},
		{"CreateExecution", testCreateExecution},
		{"ExecutionVersions", testExecutionVersions},
		{"EventHistory", testEventHistory},
		{"ExecutionAtomic", testExecutionAtomic},
		{"ConcurrentExecutionUpdates", testConcurrentExecutionUpdates},
		{"TaskOrder", testTaskOrder},
		{"StrictTake", testStrictTake},
		{"Timers", testTimers},
		{"Activities", testActivities},
		{"Heartbeat", testHeartbeat},
		{"NewRun", testSuccessor},
		{"ExecutionsReopen", testExecutionsReopen},
		{"ExecutionsCanceled", testExecutionsCanceled},
		{"ExecutionsClosed", testExecutionsClosed},
		{"InterleavedWrites", testInterleavedWrites},
		{"FailuresAmongWrites", testFailuresAmongWrites},
		{"WritesWithEndingContexts", testWritesWithEndingContexts},
		{"CloseDuringWrites", testCloseDuringWrites},
		{"ListExecutions", testListExecutions},
		{"ListExecutionsPaging", testListExecutionsPaging},
		{"CountExecutions", testCountExecutions},
		{"ExecutionParent", testExecutionParent},
		{"DeleteClosed", testDeleteClosed},
		{"DeleteClosedChain", testDeleteClosedChain},
		{"DeleteClosedLong", testDeleteClosedLong},
		{"OpenCount", testOpenCount},
		{"ClaimDueTimers", testClaimDueTimers},
		{"Backlogs", testBacklogs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, backend)
		})
	}
}
