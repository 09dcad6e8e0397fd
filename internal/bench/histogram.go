package bench

import (
	"math"
	"math/bits"
	"time"
)

// The histogram keeps latencies in log-linear buckets, as HDR histograms do:
// values below 2·subBuckets nanoseconds have a bucket each, and every power
// of two above that is split into subBuckets equal buckets. A bucket is then
// never wider than 1/subBuckets (1.6%) of its values, whatever the range, in
// a fixed 30 KiB however long the run.
const (
	subBits    = 6
	subBuckets = 1 << subBits
	// numBuckets covers every int64: the top power of two (bit 63) has
	// shift 63-subBits.
	numBuckets = subBuckets + (64-subBits)*subBuckets
)

// histogram counts durations. It is not safe for concurrent use: a stat
// guards it.
type histogram struct {
	counts   [numBuckets]int64
	total    int64
	sum      int64
	min, max int64
}

// bucketOf returns the index of the bucket that holds v nanoseconds.
func bucketOf(v int64) int {
	if v < 2*subBuckets {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return subBuckets + shift*subBuckets + int(v>>shift) - subBuckets
}

// bucketBounds returns the smallest and largest values of bucket i.
func bucketBounds(i int) (lo, hi int64) {
	if i < 2*subBuckets {
		return int64(i), int64(i)
	}
	shift := (i - subBuckets) / subBuckets
	m := int64((i-subBuckets)%subBuckets + subBuckets)
	lo = m << shift
	hi = (m+1)<<shift - 1
	if hi < lo { // the last bucket reaches past math.MaxInt64
		hi = math.MaxInt64
	}
	return lo, hi
}

// record adds one duration.
func (h *histogram) record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(v)]++
	if h.total == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.total++
	h.sum += v
}

// quantile returns the value below which a fraction q of the recorded values
// lie: the middle of the bucket that holds it, kept within the exact minimum
// and maximum so that p100 is the true maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketBounds(i)
			mid := lo + (hi-lo)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// latency summarizes the histogram.
func (h *histogram) latency() Latency {
	if h.total == 0 {
		return Latency{}
	}
	return Latency{
		Min:  time.Duration(h.min),
		Mean: time.Duration(h.sum / h.total),
		P50:  h.quantile(0.50),
		P90:  h.quantile(0.90),
		P99:  h.quantile(0.99),
		Max:  time.Duration(h.max),
	}
}
