//go:build !linux

package pgtest

import "syscall"

// sysProcAttr has no portable way to switch users or to tie the server's
// life to ours; root elsewhere than Linux is not supported.
func sysProcAttr(*account) *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
