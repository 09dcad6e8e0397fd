package swfapi

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time on the wire: a JSON number of seconds since the
// Unix epoch, with at most millisecond precision, as SWF sends it. Clients
// send whole or fractional numbers; a string is a serialization error, as it
// is to aws-sdk-go-v2 reading ours.
type Timestamp struct {
	time.Time
}

// NewTimestamp returns t as a Timestamp pointer, rounded to milliseconds.
func NewTimestamp(t time.Time) *Timestamp {
	return &Timestamp{Time: t.Round(time.Millisecond)}
}

// MarshalJSON writes the epoch seconds with up to three decimals.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

var errTimestamp = errors.New("timestamp must be a number of seconds since the epoch")

// UnmarshalJSON reads a JSON number of epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) == 0 || b[0] == '"' {
		return errTimestamp
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return errTimestamp
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
	return nil
}
