package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// none is how SWF spells an unlimited duration.
const none = "NONE"

// maxExecutionTimeout is SWF's one-year limit on a run's duration.
const maxExecutionTimeout = 365 * 24 * 60 * 60

// Seconds parses a duration given as a whole number of seconds. ok is false
// for anything else, including NONE.
func Seconds(s string) (time.Duration, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// deadline returns from+timeout, or ok false when the timeout is NONE (or
// not a duration at all, which validation keeps out of the state).
func deadline(from time.Time, timeout string) (time.Time, bool) {
	d, ok := Seconds(timeout)
	if !ok {
		return time.Time{}, false
	}
	return from.Add(d), true
}

// priority parses a task priority; "" (unset) is 0.
func priority(s string) int32 {
	n, _ := strconv.ParseInt(s, 10, 32)
	return int32(n)
}

// The problems a ValidationException lists, worded as AWS words them.

func badValue(value, path, constraint string) string {
	return swfapi.Problem(value, path, constraint)
}

func nullValue(path string) string {
	return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path)
}

// checkName adds a problem when name is set and breaks SWF's name rule
// (swfapi.NameProblem), and with edges, when it starts or ends with white
// space.
func checkName(problems []string, path string, name *string, edges bool) []string {
	if name == nil {
		return problems
	}
	if edges {
		return addProblem(problems, swfapi.NameEdgeProblem(path, *name))
	}
	return addProblem(problems, swfapi.NameProblem(path, *name))
}

// checkTaskListName checks a task list's name as checkName does.
func checkTaskListName(problems []string, path string, tl *swfapi.TaskList, edges bool) []string {
	if tl == nil {
		return problems
	}
	return checkName(problems, path+".name", tl.Name, edges)
}

// checkTimeout adds a problem when v is set and is neither NONE nor a whole
// number of seconds.
func checkTimeout(problems []string, path string, v *string) []string {
	return addProblem(problems, swfapi.DurationProblem(path, v))
}

// checkPriority adds a problem when v is set and is not a Java int.
func checkPriority(problems []string, path string, v *string) []string {
	return addProblem(problems, swfapi.PriorityProblem(path, v))
}

func addProblem(problems []string, p string) []string {
	if p != "" {
		problems = append(problems, p)
	}
	return problems
}
