"""One workflow through boto3, as a Python SWF program drives SWF, with the
answers' exact shapes checked where boto3 leaves them as SWF sent them.

Run by TestBoto3 (boto3_test.go): python3 boto3_workflow.py ENDPOINT.
Exits non-zero, printing what differed, on the first wrong answer.
"""

import datetime
import sys
import threading

import boto3
import botocore.config

endpoint = sys.argv[1]
swf = boto3.client(
    "swf",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
    config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=70),
)
DOMAIN = "boto3-smoke"
WF = {"name": "flow", "version": "1"}
ACT = {"name": "work", "version": "1"}


def expect(cond, what, got=None):
    if not cond:
        sys.exit(f"FAIL: {what}: {got!r}")


def fault(call, code, **kw):
    try:
        call(**kw)
    except swf.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        expect(got == code, f"{call.__name__} error code", got)
        expect(e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, f"{call.__name__} status", e.response["ResponseMetadata"])
        return e
    sys.exit(f"FAIL: {call.__name__} succeeded; want {code}")


def keys(d):
    return sorted(k for k in d if k != "ResponseMetadata")


# Registration, and its faults as boto3 raises them.
swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1", description="smoke")
fault(swf.register_domain, "DomainAlreadyExistsFault", name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
e = fault(swf.describe_domain, "UnknownResourceFault", name="no-such-domain")
expect(isinstance(e, swf.exceptions.UnknownResourceFault), "modeled exception class", type(e))
fault(swf.register_domain, "ValidationException", name="a:b", workflowExecutionRetentionPeriodInDays="1")
d = swf.describe_domain(name=DOMAIN)
expect(keys(d) == ["configuration", "domainInfo"], "DescribeDomain keys", keys(d))
expect(d["domainInfo"]["arn"].endswith(":/domain/" + DOMAIN), "domain ARN", d["domainInfo"])

swf.register_workflow_type(
    domain=DOMAIN, **WF, defaultTaskList={"name": "deciders"}, defaultChildPolicy="TERMINATE",
    defaultTaskStartToCloseTimeout="30", defaultExecutionStartToCloseTimeout="600")
swf.register_activity_type(
    domain=DOMAIN, **ACT, defaultTaskList={"name": "workers"}, defaultTaskStartToCloseTimeout="60",
    defaultTaskHeartbeatTimeout="NONE", defaultTaskScheduleToStartTimeout="NONE",
    defaultTaskScheduleToCloseTimeout="NONE")
fault(swf.register_activity_type, "TypeAlreadyExistsFault", domain=DOMAIN, **ACT)
fault(swf.register_workflow_type, "ValidationException", domain=DOMAIN, name="flow", version="2",
      defaultExecutionStartToCloseTimeout="NONE")

# An idle poll: the event ids as zeros, and no taskToken or events at all.
idle = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "idle"})
expect(keys(idle) == ["previousStartedEventId", "startedEventId"], "idle decision poll keys", keys(idle))
idle = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "idle"})
expect(keys(idle) == ["startedEventId"], "idle activity poll keys", keys(idle))

run = swf.start_workflow_execution(domain=DOMAIN, workflowId="wf-1", workflowType=WF, input="in \u2028 \U0001F600", tagList=["t1"])
expect(keys(run) == ["runId"], "StartWorkflowExecution keys", keys(run))
fault(swf.start_workflow_execution, "WorkflowExecutionAlreadyStartedFault", domain=DOMAIN, workflowId="wf-1", workflowType=WF)
execution = {"workflowId": "wf-1", "runId": run["runId"]}

task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"}, identity="decider")
expect(keys(task) == ["events", "previousStartedEventId", "startedEventId", "taskToken", "workflowExecution", "workflowType"],
       "decision task keys", keys(task))
types = [ev["eventType"] for ev in task["events"]]
expect(types == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"], "first decision's events", types)
started = task["events"][0]
expect(isinstance(started["eventTimestamp"], datetime.datetime), "eventTimestamp type", started["eventTimestamp"])
attrs = started["workflowExecutionStartedEventAttributes"]
expect(attrs["input"] == "in \u2028 \U0001F600" and attrs["tagList"] == ["t1"], "started attributes", attrs)

swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {"activityType": ACT, "activityId": "a1", "input": "work", "heartbeatTimeout": "60"},
}])
fault(swf.respond_decision_task_completed, "UnknownResourceFault", taskToken=task["taskToken"])

act = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"}, identity="worker")
expect(keys(act) == ["activityId", "activityType", "input", "startedEventId", "taskToken", "workflowExecution"], "activity task keys", keys(act))
beat = swf.record_activity_task_heartbeat(taskToken=act["taskToken"], details="half")
expect(keys(beat) == ["cancelRequested"] and beat["cancelRequested"] is False, "heartbeat answer", beat)
swf.request_cancel_workflow_execution(domain=DOMAIN, **execution)
beat = swf.record_activity_task_heartbeat(taskToken=act["taskToken"])
expect(beat["cancelRequested"] is False, "a cancel of the run is not a cancel of the activity", beat)
swf.respond_activity_task_completed(taskToken=act["taskToken"], result="done")

# The next decision task, read a page of 2 events at a time with boto3's
# paginator, must be the whole history up to its start.
pages = swf.get_paginator("poll_for_decision_task").paginate(
    domain=DOMAIN, taskList={"name": "deciders"}, maximumPageSize=2)
events, token = [], None
for page in pages:
    token = token or page["taskToken"]
    events += page["events"]
ids = [ev["eventId"] for ev in events]
expect(ids == list(range(1, len(ids) + 1)), "decision task pages' event ids", ids)
types = [ev["eventType"] for ev in events]
expect("ActivityTaskCompleted" in types and "WorkflowExecutionCancelRequested" in types, "events of the second decision", types)
swf.respond_decision_task_completed(taskToken=token, decisions=[{
    "decisionType": "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes": {"details": "bye"}}])

info = swf.describe_workflow_execution(domain=DOMAIN, execution=execution)
ex = info["executionInfo"]
expect(ex["executionStatus"] == "CLOSED" and ex["closeStatus"] == "CANCELED", "closed as canceled", ex)
expect(set(info["openCounts"]) == {"openActivityTasks", "openDecisionTasks", "openTimers", "openChildWorkflowExecutions", "openLambdaFunctions"},
       "openCounts members", info["openCounts"])

history = []
for page in swf.get_paginator("get_workflow_execution_history").paginate(domain=DOMAIN, execution=execution, reverseOrder=True,
                                                                         PaginationConfig={"PageSize": 3}):
    history += page["events"]
expect([ev["eventId"] for ev in history] == list(range(len(history), 0, -1)), "reversed history", [ev["eventId"] for ev in history])
expect(history[0]["eventType"] == "WorkflowExecutionCanceled", "last event", history[0])

oldest = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
closed = swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": oldest}, tagFilter={"tag": "t1"})
expect([e["execution"]["runId"] for e in closed["executionInfos"]] == [run["runId"]], "closed runs with tag t1", closed)
count = swf.count_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": oldest}, closeStatusFilter={"status": "CANCELED"})
expect(count["count"] == 1 and count["truncated"] is False, "closed count", count)
fault(swf.list_open_workflow_executions, "ValidationException", domain=DOMAIN, startTimeFilter={"oldestDate": oldest},
      tagFilter={"tag": "t1"}, executionFilter={"workflowId": "wf-1"})

# A long poll waiting while the task it gets is scheduled.
got = {}
poller = threading.Thread(target=lambda: got.update(swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "late"})))
poller.start()
swf.start_workflow_execution(domain=DOMAIN, workflowId="wf-2", workflowType=WF, taskList={"name": "late"})
poller.join(60)
expect("taskToken" in got and got["workflowExecution"]["workflowId"] == "wf-2", "the waiting poller's task", got)
swf.terminate_workflow_execution(domain=DOMAIN, workflowId="wf-2", reason="smoke over")

print("ok")
