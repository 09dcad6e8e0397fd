package service

import (
	"strconv"
	"strings"

	"github.com/openswf/openswf/internal/swfapi"
)

// checkName checks an SWF name at path (swfapi.NameProblem).
func checkName(path, name string) error {
	return problemError(swfapi.NameProblem(path, name))
}

// checkDomainName adds the domain's own rule: no white space at either end.
func checkDomainName(path, name string) error {
	return problemError(swfapi.NameEdgeProblem(path, name))
}

func problemError(problem string) error {
	if problem == "" {
		return nil
	}
	return &swfapi.ValidationError{Problems: []string{problem}}
}

// checkRetention checks a workflowExecutionRetentionPeriodInDays: NONE, or a
// whole number of days from 0 to SWF's maximum of 90.
func checkRetention(path, v string) error {
	if v == "NONE" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 90 || strings.TrimLeft(v, "0123456789") != "" {
		return swfapi.NewValidationError(v, path, "Member must be NONE or a whole number of days from 0 to 90")
	}
	return nil
}

// checkDuration checks a timeout member (swfapi.DurationProblem).
func checkDuration(path string, v *string) error {
	return problemError(swfapi.DurationProblem(path, v))
}

// checkPriority checks a task priority (swfapi.PriorityProblem).
func checkPriority(path string, v *string) error {
	return problemError(swfapi.PriorityProblem(path, v))
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
