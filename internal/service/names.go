package service

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/openswf/openswf/internal/swfapi"
)

// SWF forbids some characters in the names it uses inside ARNs and its own
// messages (domains, type names and versions, workflow ids, task lists): no
// ':', '/', '|', no control characters (U+0000–U+001F, U+007F–U+009F), and
// not the literal string "arn". The model cannot say so; we check it here.
const nameRule = "Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'"

func badNameChar(r rune) bool {
	return r == ':' || r == '/' || r == '|' || r <= 0x1f || (r >= 0x7f && r <= 0x9f)
}

// checkName checks an SWF name at path.
func checkName(path, name string) error {
	if name == "arn" || strings.IndexFunc(name, badNameChar) >= 0 {
		return swfapi.NewValidationError(name, path, nameRule)
	}
	return nil
}

// checkDomainName adds the domain's own rule: no white space at either end.
func checkDomainName(path, name string) error {
	if err := checkName(path, name); err != nil {
		return err
	}
	if name != strings.TrimFunc(name, unicode.IsSpace) {
		return swfapi.NewValidationError(name, path, "Member must not start or end with whitespace")
	}
	return nil
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
