package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBoto3 runs testdata/boto3_workflow.py, one workflow as a Python
// program drives SWF, with boto3 against a real server: the errors boto3
// raises, the answers' exact members (an idle poll's among them), its
// paginators over decision tasks and histories, a waiting long poll. The
// Go tests use aws-sdk-go-v2; this is the other client most SWF programs
// use. Without a python3 that imports boto3 the test skips, except in CI,
// where .ci/run installs Debian's python3-boto3.
func TestBoto3(t *testing.T) {
	python := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import boto3").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		lacking(t, "no python3 with boto3", "python3-boto3")
	}
	cfg := defaultConfig()
	cfg.LongPoll = 2 * time.Second // the idle polls end soon
	s := startServe(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/boto3_workflow.py", s.url)
	// boto3 must not find credentials, a region or an endpoint of the
	// machine's: the script passes its own.
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "ok\n") {
		t.Fatalf("boto3 workflow: %v\n%s\nserver log:\n%s", err, out, s.log)
	}
}
