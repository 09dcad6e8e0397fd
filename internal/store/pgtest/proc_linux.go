package pgtest

import "syscall"

// sysProcAttr runs a PostgreSQL program as account (when not nil) and
// makes the kernel stop it should the test binary die without cleaning up
// (a panic, a timeout), rather than leave a server running.
func sysProcAttr(as *account) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: as.uid, Gid: as.gid}
	}
	return attr
}
