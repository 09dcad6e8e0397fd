//go:build race

package console_test

// raceEnabled: timings under the race detector are logged, not checked.
const raceEnabled = true
