package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValue(t *testing.T) {
	values := []int64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<40 + 12345, math.MaxInt64}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, out of range", v, i)
		}
		lo, hi := bucketBounds(i)
		if v < lo || v > hi {
			t.Errorf("bucketOf(%d) = %d with bounds [%d, %d]", v, i, lo, hi)
		}
		if lo > 0 && float64(hi-lo)/float64(lo) > 1.0/subBuckets {
			t.Errorf("bucket %d [%d, %d] is wider than 1/%d of its values", i, lo, hi, subBuckets)
		}
	}
	// Buckets are contiguous: each begins where the one before ends.
	for i := 1; i < bucketOf(math.MaxInt64); i++ {
		_, prevHi := bucketBounds(i - 1)
		lo, _ := bucketBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d begins at %d, the one before ends at %d", i, lo, prevHi)
		}
	}
}

func TestQuantilesMatchSortedSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]time.Duration, 10000)
	for i := range samples {
		// Log-normal-ish latencies from 50µs to a few hundred ms.
		d := time.Duration(math.Exp(r.NormFloat64()*1.5+math.Log(float64(500*time.Microsecond)))) + 50*time.Microsecond
		samples[i] = d
		h.record(d)
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		want := samples[int(math.Ceil(q*float64(len(samples))))-1]
		got := h.quantile(q)
		if diff := math.Abs(float64(got-want)) / float64(want); diff > 1.0/subBuckets {
			t.Errorf("p%g = %v, want %v within %.1f%%", q*100, got, want, 100.0/subBuckets)
		}
	}
	l := h.latency()
	if l.Min != samples[0] || l.Max != samples[len(samples)-1] {
		t.Errorf("min %v max %v, want %v %v", l.Min, l.Max, samples[0], samples[len(samples)-1])
	}
	if !(l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("percentiles out of order: %+v", l)
	}
}

func TestEmptyHistogram(t *testing.T) {
	var h histogram
	if l := h.latency(); l != (Latency{}) {
		t.Errorf("empty histogram: %+v", l)
	}
}
