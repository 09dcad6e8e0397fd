package bench

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and a parenthesis, as /proc shows it.
	line := []byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100 1000000 500 18446744073709551615\n")
	n, err := parseProcStat(line)
	if err != nil || n != 325 {
		t.Fatalf("parseProcStat = %d, %v; want 325", n, err)
	}
	for _, bad := range []string{"", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 x 0"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q) did not fail", bad)
		}
	}
}

func TestParseMachineStat(t *testing.T) {
	data := []byte("cpu  100 10 50 800 40 0 5 0 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
	busy, total, err := parseMachineStat(data)
	// busy: user+nice+system+irq+softirq+steal; total adds idle and iowait;
	// guest is inside user already.
	if err != nil || busy != 165 || total != 1005 {
		t.Fatalf("parseMachineStat = %d, %d, %v; want 165, 1005", busy, total, err)
	}
	if _, _, err := parseMachineStat([]byte("intr 1 2 3")); err == nil {
		t.Error("a file without the cpu line did not fail")
	}
}

// processCPU is the CPU time this process has used.
func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The load tool's own process: CPU burnt between two samples shows up as
// the client's, and as the server's when its pid is named.
func TestSampleCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	pids := []int{os.Getpid()}
	a := sampleCPU(pids)
	if !a.ok {
		t.Fatal("cannot sample this process")
	}
	// Busy until this process has used 300 ms of CPU, however long that
	// takes on a loaded machine (a wall-clock loop can get a fraction of
	// a core), at most 20 s.
	begin, used := time.Now(), processCPU(t)
	for x := 0; processCPU(t)-used < 300*time.Millisecond && time.Since(begin) < 20*time.Second; x++ {
		for range 100_000 {
			x = x*x + 1
		}
	}
	b := sampleCPU(pids)
	u := diffCPU(a, b, true, time.Since(begin), 10)
	if u.Server == nil || u.Client == nil || u.Server.Seconds < 0.1 || u.Client.Seconds < 0.1 {
		t.Fatalf("a 300 ms busy loop measured as %+v / %+v", u.Server, u.Client)
	}
	if u.Server.PerUnit != time.Duration(u.Server.Seconds/10*float64(time.Second)) {
		t.Errorf("per unit %v of %v s for 10 units", u.Server.PerUnit, u.Server.Seconds)
	}
	if u.MachineBusy <= 0 || u.MachineBusy > 1 {
		t.Errorf("machine busy share %v", u.MachineBusy)
	}
	if bad := sampleCPU([]int{1 << 30}); bad.ok {
		t.Error("a pid that does not exist was sampled")
	}
}
