package service_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/swftest"
)

// BenchmarkHistoryPage serves one 1,000-event page of a 2,000-event
// history through GetWorkflowExecutionHistory, over loopback HTTP as a
// client asks for it (the client's side is only a read of the body). It
// reports the time and allocations per page, and per event.
func BenchmarkHistoryPage(b *testing.B) {
	s := swftest.Start(b, swftest.Options{})
	c := s.Client
	check := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	check(c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(dom), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}))
	check(c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(dom), Name: aws.String(wfName), Version: aws.String(typeVer),
		DefaultTaskList: &types.TaskList{Name: aws.String(deciders)}, DefaultTaskStartToCloseTimeout: aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultChildPolicy: types.ChildPolicyTerminate}))
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("bench-history"),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)}})
	check(run, err)
	for i := range 1998 {
		check(c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom),
			WorkflowId: aws.String("bench-history"), SignalName: aws.String("s"), Input: aws.String(fmt.Sprintf("%0300d", i))}))
	}
	body := []byte(`{"domain":"` + dom + `","execution":{"workflowId":"bench-history","runId":` + strconv.Quote(*run.RunId) + `},"maximumPageSize":1000}`)
	client := &http.Client{}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", s.URL, bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.GetWorkflowExecutionHistory")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, err = io.Copy(&buf, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Contains(buf.Bytes(), []byte(`"nextPageToken"`)) {
			b.Fatalf("status %d, %v: %.200s", resp.StatusCode, err, buf.Bytes())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/event")
}
