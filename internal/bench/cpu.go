package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU time is what makes runs on a shared, noisy machine comparable:
// throughput moves with whatever else runs, but the server's CPU per
// operation hardly does. A run samples, at the start and the end of its
// measured part, the CPU time of the server's processes (Config.ServerPIDs,
// from /proc/PID/stat), of the load tool itself, and of the whole machine
// (/proc/stat), and reports the differences.

// userHZ is the unit of the CPU times in /proc: the kernel reports them in
// USER_HZ ticks, which Linux fixes at 100 on every architecture Go runs on
// (it is part of the ABI, independent of the kernel's own tick rate).
const userHZ = 100

// CPU is the CPU time some processes spent during a run's measured part.
type CPU struct {
	// Seconds is the CPU time, user and system.
	Seconds float64 `json:"seconds"`
	// Cores is Seconds per second of the run: how many cores it kept busy.
	Cores float64 `json:"cores"`
	// PerUnit is Seconds per unit completed (heartbeat, workflow,
	// dispatch, request, event read).
	PerUnit time.Duration `json:"per_unit_ns"`
}

// cpuSample is one reading of the counters.
type cpuSample struct {
	server, self int64 // ticks
	busy, total  int64 // ticks of every core
	ok           bool
}

// sampleCPU reads the counters; ok is false where /proc cannot be read
// (not Linux, or a server process gone), and the run then reports no CPU.
func sampleCPU(pids []int) cpuSample {
	var s cpuSample
	var err error
	for _, pid := range pids {
		n, perr := procTicks(strconv.Itoa(pid))
		if perr != nil {
			return cpuSample{}
		}
		s.server += n
	}
	if s.self, err = procTicks("self"); err != nil {
		return cpuSample{}
	}
	if s.busy, s.total, err = machineTicks(); err != nil {
		return cpuSample{}
	}
	s.ok = true
	return s
}

// procTicks reads utime + stime of a process from /proc/PID/stat.
func procTicks(pid string) (int64, error) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	return parseProcStat(data)
}

// parseProcStat takes utime and stime (fields 14 and 15) from a
// /proc/PID/stat line. The command name (field 2) is in parentheses and
// may hold spaces and parentheses itself, so fields are counted from the
// last ")".
func parseProcStat(data []byte) (int64, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: /proc stat line without a command name")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc stat line with %d fields", len(f)+2)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: /proc stat times %q %q", f[11], f[12])
	}
	return utime + stime, nil
}

// machineTicks reads the "cpu" line of /proc/stat: busy and total ticks of
// all cores (idle and iowait are not busy).
func machineTicks() (busy, total int64, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseMachineStat(data)
}

func parseMachineStat(data []byte) (busy, total int64, err error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("bench: /proc/stat starts with %q", line)
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: /proc/stat field %q", v)
		}
		// Fields: user nice system idle iowait irq softirq steal guest
		// guest_nice. Guest time is already counted in user and nice.
		if i >= 8 {
			break
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, nil
}

// cpuUse is what a run reports of the difference between two samples.
type cpuUse struct {
	Server, Client *CPU
	MachineBusy    float64
}

func diffCPU(a, b cpuSample, servers bool, elapsed time.Duration, units int64) cpuUse {
	if !a.ok || !b.ok || elapsed <= 0 {
		return cpuUse{}
	}
	cpu := func(ticks int64) *CPU {
		sec := float64(ticks) / userHZ
		c := &CPU{Seconds: sec, Cores: sec / elapsed.Seconds()}
		if units > 0 {
			c.PerUnit = time.Duration(sec / float64(units) * float64(time.Second))
		}
		return c
	}
	u := cpuUse{Client: cpu(b.self - a.self)}
	if servers {
		u.Server = cpu(b.server - a.server)
	}
	if t := b.total - a.total; t > 0 {
		u.MachineBusy = float64(b.busy-a.busy) / float64(t)
	}
	return u
}
