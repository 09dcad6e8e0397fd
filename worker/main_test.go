package worker_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

// endpoint is the URL of the server the Examples run against, started by
// TestMain (an Example has no *testing.T to start one with).
var endpoint string

func TestMain(m *testing.M) {
	tb := &mainTB{}
	srv := swftest.Start(tb, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second})
	endpoint = srv.URL
	code := m.Run()
	for i := len(tb.cleanups) - 1; i >= 0; i-- {
		tb.cleanups[i]()
	}
	for _, d := range tb.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// mainTB is the little of testing.TB that swftest.Start needs, outside of
// any test. The embedded interface is nil: a method not written here
// panics, which says at once that swftest wants more.
type mainTB struct {
	testing.TB
	cleanups []func()
	dirs     []string
}

func (m *mainTB) Helper()                   {}
func (m *mainTB) Cleanup(f func())          { m.cleanups = append(m.cleanups, f) }
func (m *mainTB) Errorf(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
func (m *mainTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (m *mainTB) TempDir() string {
	d, err := os.MkdirTemp("", "openswf-worker-example")
	if err != nil {
		panic(err)
	}
	m.dirs = append(m.dirs, d)
	return d
}
