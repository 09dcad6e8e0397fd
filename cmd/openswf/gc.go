package main

import (
	"runtime/debug"
	"strconv"
	"strings"
)

// serveGCPercent is openswf serve's GOGC unless the environment sets one.
//
// The server's live heap is small (tens of MiB: buffers, the run and
// history caches) and its garbage is per request. On a small machine each
// collection also takes a whole core of two for its mark phase, which
// every request in flight waits behind: collecting when the heap has grown
// five times rather than three took about 5 % off the server CPU of a
// heartbeat and of a workflow here (the median of eight rounds each), for
// 8–17 MiB more memory (BENCHMARKS.md, issue 13).
const serveGCPercent = 400

// cgroupMemoryMax is where cgroup v2 gives a container's memory limit.
const cgroupMemoryMax = "/sys/fs/cgroup/memory.max"

// tuneGC sets openswf serve's garbage collection, unless the environment
// does: GOGC to serveGCPercent, and in a container with a memory limit, a
// soft memory limit of four fifths of it (GOMEMLIMIT), so that the heap
// that GOGC lets grow is collected harder rather than killed near the
// container's limit.
func tuneGC(getenv func(string) string, readFile func(string) ([]byte, error)) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		if data, err := readFile(cgroupMemoryMax); err == nil {
			if limit, ok := softMemoryLimit(string(data)); ok {
				debug.SetMemoryLimit(limit)
			}
		}
	}
}

// softMemoryLimit is the soft limit for a cgroup's memory.max: four fifths
// of it; none when it is "max" (no limit) or not a number.
func softMemoryLimit(memoryMax string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(memoryMax), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n / 5 * 4, true
}
