package jsonref

import (
	"encoding/json"
	"testing"
)

type inner struct {
	Key string `json:"key"`
}

type shape struct {
	Name  string  `json:"name"`
	Items []inner `json:"items"`
}

func TestUnmarshalExactKeys(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"name":"x"}`, "x"},
		{`{"NAME":"x"}`, ""},
		{`{"Name":"x","name":"y"}`, "y"},
		{`{"name":"y","Name":5}`, "y"}, // the wrong-case member is not even type-checked
		{`{"na\u006De":"x"}`, "x"},     // an escape spelling the name exactly
		{`{"\u004eame":"x"}`, ""},
	} {
		var v shape
		if err := Unmarshal([]byte(tc.body), &v); err != nil || v.Name != tc.want {
			t.Errorf("%s: name %q, %v; want %q", tc.body, v.Name, err, tc.want)
		}
	}
	var v shape
	if err := Unmarshal([]byte(`{"items":[{"KEY":"a"},{"key":"b"}]}`), &v); err != nil || v.Items[0].Key != "" || v.Items[1].Key != "b" {
		t.Errorf("nested: %+v, %v", v, err)
	}
	// Errors, offsets included, are encoding/json's.
	for _, body := range []string{`{"NAME":"x",}`, `{"name":5}`, `{"NAME":"x"} x`} {
		var a, b shape
		got, want := Unmarshal([]byte(body), &a), json.Unmarshal([]byte(body), &b)
		if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Errorf("%s: %v, want %v", body, got, want)
		}
	}
}
