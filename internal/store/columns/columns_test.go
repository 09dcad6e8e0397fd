package columns

import (
	"reflect"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func TestTagsRoundTrip(t *testing.T) {
	for _, tags := range [][]store.Tag{nil, {{Key: "b", Value: "2"}, {Key: "a", Value: ""}}} {
		s, err := EncodeTags(tags)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeTags(s)
		if err != nil || !reflect.DeepEqual(back, tags) {
			t.Fatalf("%v came back as %v (%v)", tags, back, err)
		}
	}
	if _, err := DecodeTags("{"); err == nil {
		t.Fatal("bad JSON accepted")
	}
}

func TestStoredType(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("x", 3600))
	got := StoredType(store.Type{CreatedAt: at, Config: []byte{}})
	if !got.CreatedAt.Equal(at.Truncate(time.Millisecond)) || got.CreatedAt.Location() != time.UTC || !got.DeprecatedAt.IsZero() || got.Config != nil {
		t.Fatalf("%+v", got)
	}
}
