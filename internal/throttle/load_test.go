package throttle

import (
	"strings"
	"testing"
)

func TestLoadOverridesSomeQuotas(t *testing.T) {
	base := Defaults()
	got, err := Load([]byte(`{
		"apis": {
			"RecordActivityTaskHeartbeat": {"burst": 4000, "rate": 320.5},
			"TagResource": {"rate": 1}
		},
		"decisions": {"ScheduleActivityTask": {"burst": 2e3}}
	}`), base)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want Quota
	}{
		{"RecordActivityTaskHeartbeat", got.APIs["RecordActivityTaskHeartbeat"], Quota{Burst: 4000, Rate: 320.5}},
		{"TagResource (rate only)", got.APIs["TagResource"], Quota{Burst: 50, Rate: 1}},
		{"ScheduleActivityTask (burst only)", got.Decisions["ScheduleActivityTask"], Quota{Burst: 2000, Rate: 200}},
		{"PollForActivityTask (untouched)", got.APIs["PollForActivityTask"], Quota{Burst: 2000, Rate: 200}},
		{"StartTimer (untouched)", got.Decisions["StartTimer"], Quota{Burst: 2000, Rate: 200}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
	if len(got.APIs) != len(base.APIs) || len(got.Decisions) != len(base.Decisions) {
		t.Errorf("Load changed the set of quotas: %d APIs, %d decisions", len(got.APIs), len(got.Decisions))
	}
	if base.APIs["RecordActivityTaskHeartbeat"].Burst != 2000 {
		t.Error("Load modified base")
	}
}

func TestLoadEmptyObjectKeepsBase(t *testing.T) {
	got, err := Load([]byte(`{}`), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if got.APIs["RecordActivityTaskHeartbeat"] != (Quota{Burst: 2000, Rate: 160}) {
		t.Errorf("heartbeat %+v", got.APIs["RecordActivityTaskHeartbeat"])
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for _, c := range []struct {
		name, file, want string
	}{
		{"unknown operation", `{"apis": {"Heartbeat": {"burst": 1}}}`,
			"apis.Heartbeat: not an operation of SWF"},
		{"unknown decision type", `{"decisions": {"ScheduleActivity": {"burst": 1}}}`,
			"decisions.ScheduleActivity: not a decision type of SWF"},
		{"decision type SWF does not limit", `{"decisions": {"RecordMarker": {"burst": 1}}}`,
			"decisions.RecordMarker: SWF does not rate-limit RecordMarker decisions"},
		{"zero burst", `{"apis": {"TagResource": {"burst": 0}}}`,
			"apis.TagResource.burst: must be a positive whole number, not 0"},
		{"negative burst", `{"decisions": {"StartTimer": {"burst": -5}}}`,
			"decisions.StartTimer.burst: must be a positive whole number, not -5"},
		{"fractional burst", `{"apis": {"TagResource": {"burst": 1.5}}}`,
			"apis.TagResource.burst: must be a positive whole number, not 1.5"},
		{"huge burst", `{"apis": {"TagResource": {"burst": 1e30}}}`,
			"apis.TagResource.burst: must be a positive whole number, not 1e30"},
		{"string burst", `{"apis": {"TagResource": {"burst": "10"}}}`,
			`apis.TagResource.burst: must be a number, not "10"`},
		{"zero rate", `{"apis": {"TagResource": {"rate": 0}}}`,
			"apis.TagResource.rate: must be a positive number, not 0"},
		{"negative rate", `{"decisions": {"StartTimer": {"rate": -0.5}}}`,
			"decisions.StartTimer.rate: must be a positive number, not -0.5"},
		{"infinite rate", `{"apis": {"TagResource": {"rate": 1e400}}}`,
			"apis.TagResource.rate: must be a positive number, not 1e400"},
		{"unknown quota member", `{"apis": {"TagResource": {"burst": 1, "brust": 2}}}`,
			"apis.TagResource.brust: unknown member (known: burst, rate)"},
		{"unknown top member", `{"api": {}}`,
			"api: unknown member (known: apis, decisions)"},
		{"empty quota", `{"apis": {"TagResource": {}}}`,
			"apis.TagResource: sets neither burst nor rate"},
		{"member given twice", `{"apis": {"TagResource": {"burst": 1}, "TagResource": {"burst": 2}}}`,
			"apis.TagResource: given twice"},
		{"quota given twice", `{"apis": {"TagResource": {"rate": 1, "rate": 2}}}`,
			"apis.TagResource.rate: given twice"},
		{"apis not an object", `{"apis": []}`,
			"apis: must be an object, not an array"},
		{"quota null", `{"apis": {"TagResource": null}}`,
			"apis.TagResource: must be an object, not null"},
		{"file not an object", `[1]`,
			"top level: must be an object, not an array"},
		{"syntax error", `{"apis": {"TagResource": {"burst": 1,}}}`,
			"apis.TagResource: offset "},
		{"truncated", `{"apis": {"TagResource": {"burst": 1}`,
			"apis: offset "},
		{"empty file", ``,
			"top level: offset 0: unexpected EOF"},
		{"trailing data", `{} {}`,
			"offset 2: data after the settings object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load([]byte(c.file), Defaults())
			if err == nil {
				t.Fatalf("Load(%s) accepted", c.file)
			}
			if want := "throttle settings: " + c.want; !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("Load(%s):\n got %v\nwant %s...", c.file, err, want)
			}
		})
	}
}

func TestLoadValidatesBase(t *testing.T) {
	base := Defaults()
	base.APIs["ListDomains"] = Quota{Burst: 10, Rate: 0}
	_, err := Load([]byte(`{}`), base)
	if err == nil || err.Error() != "throttle settings: apis.ListDomains.rate: must be a positive number, not 0" {
		t.Fatalf("Load over a bad base: %v", err)
	}
}
