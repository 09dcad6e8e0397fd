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

// checkDuration checks a duration member: NONE or a whole number of seconds,
// as SWF's timeouts are given. Absent members are not checked.
func checkDuration(path string, v *string) error {
	if v == nil || *v == "NONE" {
		return nil
	}
	if *v == "" || strings.TrimLeft(*v, "0123456789") != "" {
		return swfapi.NewValidationError(*v, path, "Member must be NONE or a whole number of seconds")
	}
	return nil
}

// checkPriority checks a task priority: a whole number in Java's int range,
// which is what SWF accepts.
func checkPriority(path string, v *string) error {
	if v == nil {
		return nil
	}
	if _, err := strconv.ParseInt(*v, 10, 32); err != nil {
		return swfapi.NewValidationError(*v, path, "Member must be an integer from -2147483648 to 2147483647")
	}
	return nil
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
