package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func testTags(t *testing.T, b Backend) {
	tests := []struct {
		name string
		tags []store.Tag
	}{
		{"none", nil},
		{"empty", []store.Tag{}},
		{"one", []store.Tag{{Key: "k", Value: "v"}}},
		{"kept in order, not sorted", []store.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}, {Key: "m", Value: "3"}}},
		{"empty value", []store.Tag{{Key: "k", Value: ""}}},
		{"awkward characters", []store.Tag{
			{Key: `q"uote`, Value: `back\slash`},
			{Key: "ü", Value: "✓ 😀"},
			{Key: "[]{}", Value: `{"json":true}`},
			{Key: "tab\tnl\n", Value: "'single'"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			d := domainFixture("d")
			d.Tags = tt.tags
			e.createDomain(d)
			e.wantDomain(e.getDomain("d"), d)

			// Reversed through UpdateDomain, then after a restart.
			reversed := slices.Clone(tt.tags)
			slices.Reverse(reversed)
			got, err := e.s.UpdateDomain(t.Context(), "d", func(d *store.Domain) error {
				d.Tags = reversed
				return nil
			})
			wantErr(t, "UpdateDomain", err, nil)
			d.Tags = reversed
			e.wantDomain(got, d)
			e.reopen()
			e.wantDomain(e.getDomain("d"), d)
		})
	}
}

func testTimes(t *testing.T, b Backend) {
	e := newEnv(t, b)
	tests := []struct {
		name string
		at   time.Time
	}{
		{"whole milliseconds", time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.UTC)},
		{"nanoseconds are cut", time.Date(2024, 1, 2, 3, 4, 5, 6_999_999, time.UTC)},
		{"other zone", time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("x", -7*3600))},
		{"local with monotonic reading", time.Now()},
		{"epoch", time.Unix(0, 0)},
		{"far future", time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC)},
	}
	e.createDomain(domainFixture("d"))
	for i, tt := range tests {
		d := domainFixture(fmt.Sprint("times-", i))
		d.CreatedAt = tt.at
		e.createDomain(d)
		ty := typeFixture("d", act, d.Name, "1")
		ty.CreatedAt = tt.at
		ty.Status, ty.DeprecatedAt = store.StatusDeprecated, tt.at.Add(time.Millisecond)
		e.createType(ty)

		gotD := e.getDomain(d.Name)
		if !gotD.CreatedAt.Equal(ms(tt.at)) {
			t.Errorf("%s: domain CreatedAt = %v, want %v", tt.name, gotD.CreatedAt, ms(tt.at))
		}
		gotT := e.getType(ty.TypeKey)
		if !gotT.CreatedAt.Equal(ms(tt.at)) || !gotT.DeprecatedAt.Equal(ms(ty.DeprecatedAt)) {
			t.Errorf("%s: type times = %v, %v, want %v, %v", tt.name,
				gotT.CreatedAt, gotT.DeprecatedAt, ms(tt.at), ms(ty.DeprecatedAt))
		}
	}
	// A registered type has no deprecation time.
	ty := typeFixture("d", act, "registered", "1")
	e.createType(ty)
	if got := e.getType(ty.TypeKey); !got.DeprecatedAt.IsZero() {
		t.Errorf("DeprecatedAt of a registered type = %v, want zero", got.DeprecatedAt)
	}
}

func testConfig(t *testing.T, b Backend) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := make([]byte, 200_000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name   string
		config []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"zero byte", []byte{0}},
		{"every byte", all},
		{"not UTF-8", []byte{0xff, 0xfe, 0xc3}},
		{"large", big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			e.createDomain(domainFixture("d"))
			ty := typeFixture("d", act, "t", "1")
			ty.Config = tt.config
			e.createType(ty)
			if got := e.getType(ty.TypeKey).Config; !bytes.Equal(got, tt.config) {
				t.Errorf("config after create: got %d bytes, want %d", len(got), len(tt.config))
			}
			wf := typeFixture("d", wf, "t", "1")
			wf.Config = []byte("x")
			e.createType(wf)
			got, err := e.s.UpdateType(t.Context(), wf.TypeKey, func(ty *store.Type) error {
				ty.Config = tt.config
				return nil
			})
			wantErr(t, "UpdateType", err, nil)
			if !bytes.Equal(got.Config, tt.config) {
				t.Errorf("config returned by UpdateType: got %d bytes, want %d", len(got.Config), len(tt.config))
			}
			e.reopen()
			if got := e.getType(wf.TypeKey).Config; !bytes.Equal(got, tt.config) {
				t.Errorf("config after update: got %d bytes, want %d", len(got), len(tt.config))
			}
		})
	}
}
