package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"
)

// Keys of the test principals.
const (
	adminKey, adminSecret     = "AKIDTESTADMIN00001", "admin-secret"
	workerKey, workerSecret   = "AKIDTESTWORKER0001", "worker-secret"
	deciderKey, deciderSecret = "AKIDTESTDECIDER001", "decider-secret"
	tempKey, tempSecret       = "ASIATESTTEMPORARY1", "temp-secret"
	tempToken                 = "session-token-of-the-temporary-key"
)

// testPrincipals: an admin allowed everything; a worker allowed the
// activity-worker calls in every domain but denied heartbeats in "alpha";
// a decider allowed everything but scheduling "forbidden" activities; a
// temporary key with a session token, allowed to describe domains.
func testPrincipals(extra ...string) string {
	p := `{"principals": [
	{"name": "admin", "accessKeyId": "` + adminKey + `", "secretAccessKey": "` + adminSecret + `",
	 "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}]},
	{"name": "worker", "accessKeyId": "` + workerKey + `", "secretAccessKey": "` + workerSecret + `",
	 "policies": [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["swf:PollForActivityTask", "swf:RecordActivityTaskHeartbeat", "swf:RespondActivityTask*"], "Resource": "arn:aws:swf:*:123456789012:/domain/*"},
		{"Effect": "Deny", "Action": "swf:RecordActivityTaskHeartbeat", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/alpha"}]}]},
	{"name": "decider", "accessKeyId": "` + deciderKey + `", "secretAccessKey": "` + deciderSecret + `",
	 "policies": [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
		{"Effect": "Deny", "Action": "swf:ScheduleActivityTask", "Resource": "*", "Condition": {"StringEquals": {"swf:activityType.name": "forbidden"}}}]}]},
	{"name": "temporary", "accessKeyId": "` + tempKey + `", "secretAccessKey": "` + tempSecret + `", "sessionToken": "` + tempToken + `",
	 "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:DescribeDomain", "Resource": "*"}]}]}`
	for _, e := range extra {
		p += ",\n" + e
	}
	return p + "]}"
}

// liveServer is serve() running in this process.
type liveServer struct {
	url    string
	reload chan os.Signal
	log    *syncBuffer
	tls    *tls.Config
}

// startServe runs serve with cfg, its listener on a free loopback port and
// its store in a temporary directory, until the test ends.
func startServe(t *testing.T, cfg config) *liveServer {
	t.Helper()
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	return startServeOn(t, cfg, "sqlite:"+filepath.Join(t.TempDir(), "openswf.db"))
}

// startServeOn runs serve with cfg on the store spec names, its listener
// on a free loopback port, until the test ends.
func startServeOn(t *testing.T, cfg config, spec string) *liveServer {
	t.Helper()
	cfg.Listen, cfg.Store = "127.0.0.1:0", spec
	ctx, cancel := context.WithCancel(context.Background())
	s := &liveServer{reload: make(chan os.Signal, 1), log: &syncBuffer{}}
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, s.log, s.reload, func(u string) { urls <- u }) }()
	select {
	case s.url = <-urls:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, s.log)
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// client is an SWF client of the server signing with the given key. With
// retries, it retries as the SDK does by default (throttling included).
func (s *liveServer) client(key, secret, token string, retries bool) *swf.Client {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)}
	if s.tls != nil {
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: s.tls, ForceAttemptHTTP2: true}}
	}
	return swf.NewFromConfig(cfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String(s.url)
		if retries {
			o.Retryer = awsretry.NewStandard(func(o *awsretry.StandardOptions) {
				o.MaxAttempts = 10
				o.MaxBackoff = 200 * time.Millisecond
			})
		} else {
			o.Retryer = aws.NopRetryer{}
		}
	})
}

// errorCode returns the AWS error code of err, "" for none.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func sigv4Config(t *testing.T, principals string) config {
	cfg := defaultConfig()
	cfg.Auth = "sigv4"
	cfg.Principals = writeFile(t, principals)
	cfg.LogLevel = "warn"
	return cfg
}

// setUpDomain registers a domain with a workflow type and an activity type
// named "work", and starts one workflow execution in it.
func setUpDomain(t *testing.T, c *swf.Client, domain string) (runID *string) {
	t.Helper()
	ctx := context.Background()
	succeed(t, func() error {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(domain), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
		return err
	})
	for _, name := range []string{"work", "forbidden"} {
		succeed(t, func() error {
			_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(domain), Name: aws.String(name), Version: aws.String("1"),
				DefaultTaskList: &types.TaskList{Name: aws.String("workers")}, DefaultTaskHeartbeatTimeout: aws.String("NONE"),
				DefaultTaskScheduleToStartTimeout: aws.String("NONE"), DefaultTaskScheduleToCloseTimeout: aws.String("NONE"), DefaultTaskStartToCloseTimeout: aws.String("600")})
			return err
		})
	}
	succeed(t, func() error {
		_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(domain), Name: aws.String("flow"), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String("deciders")}, DefaultChildPolicy: types.ChildPolicyTerminate,
			DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultTaskStartToCloseTimeout: aws.String("60")})
		return err
	})
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String("wf"),
		WorkflowType: &types.WorkflowType{Name: aws.String("flow"), Version: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	return run.RunId
}

// respondDecisions polls the deciders' task list of domain and answers with decisions.
func respondDecisions(t *testing.T, c *swf.Client, domain string, decisions ...types.Decision) {
	t.Helper()
	ctx := context.Background()
	task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("deciders")}})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("decision poll: %v", err)
	}
	if _, err := c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: decisions}); err != nil {
		t.Fatalf("respond: %v", err)
	}
}

// succeed fails the test if f fails.
func succeed(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func scheduleDecision(id, typ string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask,
		ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
			ActivityId: aws.String(id), ActivityType: &types.ActivityType{Name: aws.String(typ), Version: aws.String("1")}}}
}

// TestSignatures: every way a request's signature can be wrong is refused
// with the error AWS gives, and the SDK maps it to its error code.
func TestSignatures(t *testing.T) {
	s := startServe(t, sigv4Config(t, testPrincipals()))
	ctx := context.Background()
	describe := func(c *swf.Client) error {
		_, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
		return err
	}
	if err := describe(s.client(adminKey, adminSecret, "", false)); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	for _, tc := range []struct {
		name, key, secret, token, code string
	}{
		{"wrong secret", adminKey, "not-the-secret", "", "InvalidSignatureException"},
		{"unknown key", "AKIDNOBODYATALL001", "x", "", "UnrecognizedClientException"},
		{"session token missing", tempKey, tempSecret, "", ""},
		{"session token wrong", tempKey, tempSecret, "another-token", ""},
		{"session token where none is", adminKey, adminSecret, "a-token", ""},
	} {
		err := describe(s.client(tc.key, tc.secret, tc.token, false))
		got := errorCode(err)
		if tc.code != "" && got != tc.code || tc.code == "" && (got == "" || got == "OperationNotPermittedFault") {
			t.Errorf("%s: %q (%v)", tc.name, got, err)
		}
	}
	// The temporary key with its token is authenticated (and then judged
	// by its policy, which allows only DescribeDomain).
	if err := describe(s.client(tempKey, tempSecret, tempToken, false)); errorCode(err) != "OperationNotPermittedFault" {
		t.Errorf("temporary key on ListDomains: %v", err)
	}

	// Without any signature.
	req, _ := http.NewRequest("POST", s.url, strings.NewReader(`{"registrationStatus":"REGISTERED"}`))
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(body, &e)
	if resp.StatusCode != 400 || e.Type != "com.amazon.coral.service#MissingAuthenticationTokenException" || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("unsigned: %d %s", resp.StatusCode, body)
	}
}

// TestAuthorization: a principal denied RecordActivityTaskHeartbeat in one
// domain is refused there, with its task token judged in the token's
// domain, and succeeds in another; a decision denied by a condition on its
// activity type fails in the history while the rest of the batch goes on.
func TestAuthorization(t *testing.T) {
	s := startServe(t, sigv4Config(t, testPrincipals()))
	ctx := context.Background()
	admin := s.client(adminKey, adminSecret, "", false)
	worker := s.client(workerKey, workerSecret, "", false)
	decider := s.client(deciderKey, deciderSecret, "", false)

	// The worker may not manage domains.
	_, err := worker.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("mine"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	var denied *types.OperationNotPermittedFault
	if !errors.As(err, &denied) || !strings.Contains(aws.ToString(denied.Message), "is not authorized to perform: swf:RegisterDomain") {
		t.Fatalf("worker registering a domain: %v", err)
	}

	for _, domain := range []string{"alpha", "beta"} {
		setUpDomain(t, admin, domain)
		respondDecisions(t, decider, domain, scheduleDecision("forbidden-1", "forbidden"), scheduleDecision("work-1", "work"))
		task, err := worker.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("workers")}})
		if err != nil || task.TaskToken == nil || aws.ToString(task.ActivityId) != "work-1" {
			t.Fatalf("%s: activity poll: %+v %v", domain, task, err)
		}
		_, err = worker.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken, Details: aws.String("half")})
		if domain == "alpha" {
			if !errors.As(err, &denied) || !strings.Contains(aws.ToString(denied.Message), "/domain/alpha") {
				t.Fatalf("heartbeat in alpha: %v", err)
			}
		} else if err != nil {
			t.Fatalf("heartbeat in beta: %v", err)
		}
		// Completing is allowed in both.
		if _, err := worker.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken}); err != nil {
			t.Fatalf("%s: complete: %v", domain, err)
		}
		hist, err := admin.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain),
			Execution: &types.WorkflowExecution{WorkflowId: aws.String("wf"), RunId: task.WorkflowExecution.RunId}})
		if err != nil {
			t.Fatal(err)
		}
		var failed, scheduled int
		for _, ev := range hist.Events {
			if a := ev.ScheduleActivityTaskFailedEventAttributes; a != nil {
				failed++
				if a.Cause != types.ScheduleActivityTaskFailedCauseOperationNotPermitted || aws.ToString(a.ActivityId) != "forbidden-1" {
					t.Errorf("%s: failed event %+v", domain, a)
				}
			}
			if ev.ActivityTaskScheduledEventAttributes != nil {
				scheduled++
			}
		}
		if failed != 1 || scheduled != 1 {
			t.Fatalf("%s: %d ScheduleActivityTaskFailed, %d ActivityTaskScheduled", domain, failed, scheduled)
		}
	}
}

// TestThrottling: a call over its API's quota gets ThrottlingException and
// changes nothing, and the SDK's own retry then gets through; a decision
// over its quota fails with its RATE_EXCEEDED cause.
func TestThrottling(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.ThrottleSettings = writeFile(t, `{"apis": {"RegisterDomain": {"burst": 1, "rate": 5}}, "decisions": {"ScheduleActivityTask": {"burst": 1, "rate": 0.001}}}`)
	s := startServe(t, cfg)
	ctx := context.Background()
	admin := s.client(adminKey, adminSecret, "", false)
	run := setUpDomain(t, admin, "first") // takes the one RegisterDomain token
	_, err := admin.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("second"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	if errorCode(err) != "ThrottlingException" {
		t.Fatalf("over the quota: %v", err)
	}
	if _, err := admin.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("second")}); errorCode(err) != "UnknownResourceFault" {
		t.Fatalf("a throttled call changed something: %v", err)
	}
	retrying := s.client(adminKey, adminSecret, "", true)
	if _, err := retrying.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("second"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil {
		t.Fatalf("the SDK's retry did not get through: %v", err)
	}

	respondDecisions(t, admin, "first", scheduleDecision("a", "work"), scheduleDecision("b", "work"))
	hist, err := admin.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("first"),
		Execution: &types.WorkflowExecution{WorkflowId: aws.String("wf"), RunId: run}})
	if err != nil {
		t.Fatal(err)
	}
	var causes []string
	for _, ev := range hist.Events {
		if a := ev.ScheduleActivityTaskFailedEventAttributes; a != nil {
			causes = append(causes, aws.ToString(a.ActivityId)+" "+string(a.Cause))
		}
	}
	if fmt.Sprint(causes) != "[b ACTIVITY_CREATION_RATE_EXCEEDED]" {
		t.Fatalf("decision failures %v", causes)
	}
}

// TestReloadPrincipals: SIGHUP reads the principals again; a file that does
// not parse is refused, and the principals in force stay so.
func TestReloadPrincipals(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.LogLevel = "info"
	s := startServe(t, cfg)
	ctx := context.Background()
	newcomer := s.client("AKIDTESTNEWCOMER01", "new-secret", "", false)
	list := func(c *swf.Client) error {
		_, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
		return err
	}
	if errorCode(list(newcomer)) != "UnrecognizedClientException" {
		t.Fatal("an unknown key was accepted")
	}
	hup := func() {
		s.reload <- nil
		// The reload happens in serve's loop; wait for its log line.
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(s.log.String(), "principals reloaded"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no reload logged")
			}
		}
	}
	os.WriteFile(cfg.Principals, []byte(testPrincipals(`{"name": "newcomer", "accessKeyId": "AKIDTESTNEWCOMER01", "secretAccessKey": "new-secret",
		"policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:List*", "Resource": "*"}]}]}`)), 0o600)
	hup()
	if err := list(newcomer); err != nil {
		t.Fatalf("after the reload: %v", err)
	}
	// A broken file: the previous principals stay.
	s.log.Reset()
	os.WriteFile(cfg.Principals, []byte(`{"principals": [{"name": "x", "accessKeyId": "AKIDTESTNEWCOMER01", "secretAccessKey": "s",
		"policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Action": "swf:*", "Resource": "*"}]}]}]}`), 0o600)
	s.reload <- nil
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(s.log.String(), "not reloaded"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no refusal logged:\n%s", s.log)
		}
	}
	if !strings.Contains(s.log.String(), "principals[0]") || !strings.Contains(s.log.String(), "Statement[0]") {
		t.Errorf("the refusal does not name the place:\n%s", s.log)
	}
	if err := list(newcomer); err != nil {
		t.Fatalf("after a refused reload: %v", err)
	}
}

// TestTLS: with a certificate, the API is served over HTTPS, to the SDK
// (HTTP/1.1) and over HTTP/2.
func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	cfg := sigv4Config(t, testPrincipals())
	cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	s := startServe(t, cfg)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("url %s", s.url)
	}
	s.tls = &tls.Config{RootCAs: pool}
	if _, err := s.client(adminKey, adminSecret, "", false).ListDomains(context.Background(), &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered}); err != nil {
		t.Fatal(err)
	}
	for _, h2 := range []bool{false, true} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		resp, err := (&http.Client{Transport: tr}).Post(s.url, "application/x-amz-json-1.0", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{false: 1, true: 2}[h2]; resp.ProtoMajor != want || resp.StatusCode != 400 {
			t.Errorf("HTTP/%d answered %d over HTTP/%d", want, resp.StatusCode, resp.ProtoMajor)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "openswf test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestExamplePrincipals: the example file in the repository is accepted as
// it is, and means what the README says.
func TestExamplePrincipals(t *testing.T) {
	cfg := defaultConfig()
	cfg.Auth, cfg.Principals, cfg.LogLevel = "sigv4", "../../examples/principals.json", "warn"
	s := startServe(t, cfg)
	ctx := context.Background()
	admin := s.client("AKIAOPENSWFADMIN0001", "change-me-admin-secret", "", false)
	worker := s.client("AKIAOPENSWFWORKER001", "change-me-worker-secret", "", false)
	for _, d := range []string{"orders", "other"} {
		if _, err := admin.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(d), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil {
			t.Fatal(err)
		}
	}
	poll := func(domain string) error {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := worker.PollForActivityTask(pctx, &swf.PollForActivityTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("t")}})
		return err
	}
	if err := poll("orders"); errorCode(err) == "OperationNotPermittedFault" {
		t.Fatalf("worker polling in orders: %v", err)
	}
	if err := poll("other"); errorCode(err) != "OperationNotPermittedFault" {
		t.Fatalf("worker polling in other: %v", err)
	}
	if _, err := worker.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered}); errorCode(err) != "OperationNotPermittedFault" {
		t.Fatalf("worker listing domains: %v", err)
	}
}

// syncBuffer is a log that tests read while the server writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// TestTagPolicies: SWF's tag-based policies, end to end. A principal
// denied everything in domains tagged env=production may work in a domain
// until it is tagged so, and again once the tag is gone.
func TestTagPolicies(t *testing.T) {
	const opsKey, opsSecret = "AKIDTESTOPERATOR01", "ops-secret"
	s := startServe(t, sigv4Config(t, testPrincipals(`{"name": "ops", "accessKeyId": "`+opsKey+`", "secretAccessKey": "`+opsSecret+`",
	 "policies": [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
		{"Effect": "Deny", "Action": "swf:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "production"}}}]}]}`)))
	ctx := context.Background()
	admin := s.client(adminKey, adminSecret, "", false)
	ops := s.client(opsKey, opsSecret, "", false)
	if _, err := admin.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("shop"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:swf:us-east-1:123456789012:/domain/shop")
	describe := func() error {
		_, err := ops.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("shop")})
		return err
	}
	if err := describe(); err != nil {
		t.Fatalf("untagged: %v", err)
	}
	if _, err := admin.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{{Key: aws.String("env"), Value: aws.String("production")}}}); err != nil {
		t.Fatal(err)
	}
	var denied *types.OperationNotPermittedFault
	if err := describe(); !errors.As(err, &denied) {
		t.Fatalf("tagged env=production: %v", err)
	}
	if _, err := ops.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}); !errors.As(err, &denied) {
		t.Fatalf("untagging its own way out: %v", err)
	}
	if _, err := admin.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	if err := describe(); err != nil {
		t.Fatalf("tag removed: %v", err)
	}
}

// TestDefaultTaskListPolicies: a call or decision that leaves its task list
// out is judged by the type's default task list, as SWF's guide says: a
// principal allowed only the "deciders" and "workers" lists may start a
// workflow and schedule an activity whose types default to them.
func TestDefaultTaskListPolicies(t *testing.T) {
	const key, secret = "AKIDTESTLISTS00001", "lists-secret"
	s := startServe(t, sigv4Config(t, testPrincipals(`{"name": "lists", "accessKeyId": "`+key+`", "secretAccessKey": "`+secret+`",
	 "policies": [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["swf:PollForDecisionTask", "swf:RespondDecisionTaskCompleted", "swf:GetWorkflowExecutionHistory"], "Resource": "*"},
		{"Effect": "Allow", "Action": ["swf:StartWorkflowExecution", "swf:ScheduleActivityTask"], "Resource": "*",
		 "Condition": {"StringEquals": {"swf:taskList.name": ["deciders", "workers"]}}}]}]}`)))
	ctx := context.Background()
	admin := s.client(adminKey, adminSecret, "", false)
	lists := s.client(key, secret, "", false)
	setUpDomain(t, admin, "shop")
	run, err := lists.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("shop"), WorkflowId: aws.String("by-default"),
		WorkflowType: &types.WorkflowType{Name: aws.String("flow"), Version: aws.String("1")}})
	if err != nil {
		t.Fatalf("a start on the type's default list: %v", err)
	}
	_, err = lists.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("shop"), WorkflowId: aws.String("elsewhere"),
		WorkflowType: &types.WorkflowType{Name: aws.String("flow"), Version: aws.String("1")}, TaskList: &types.TaskList{Name: aws.String("other")}})
	var denied *types.OperationNotPermittedFault
	if !errors.As(err, &denied) {
		t.Fatalf("a start on another list: %v", err)
	}
	// Two decision tasks wait (setUpDomain's run and this one); answer both.
	respondDecisions(t, lists, "shop", scheduleDecision("a1", "work"))
	respondDecisions(t, lists, "shop", scheduleDecision("a2", "work"))
	hist, err := lists.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("shop"),
		Execution: &types.WorkflowExecution{WorkflowId: aws.String("by-default"), RunId: run.RunId}})
	if err != nil {
		t.Fatal(err)
	}
	scheduled := false
	for _, ev := range hist.Events {
		if a := ev.ScheduleActivityTaskFailedEventAttributes; a != nil {
			t.Fatalf("scheduling on the type's default list failed: %s", a.Cause)
		}
		scheduled = scheduled || ev.ActivityTaskScheduledEventAttributes != nil
	}
	if !scheduled {
		t.Fatal("no activity scheduled")
	}
}
