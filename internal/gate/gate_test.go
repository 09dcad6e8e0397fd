package gate

import (
	"context"
	"testing"
)

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	if Cause(ctx, 0) != "" || All(ctx) != nil {
		t.Fatal("refusals in an empty context")
	}
	ctx = Refuse(ctx, 2, "OPERATION_NOT_PERMITTED")
	// The same context carries later refusals, and the first one of a
	// decision wins.
	if next := Refuse(ctx, 2, "ACTIVITY_CREATION_RATE_EXCEEDED"); next != ctx {
		t.Fatal("a second refusal made a new context")
	}
	Refuse(ctx, 4, "TIMER_CREATION_RATE_EXCEEDED")
	if Cause(ctx, 2) != "OPERATION_NOT_PERMITTED" || Cause(ctx, 4) != "TIMER_CREATION_RATE_EXCEEDED" || Cause(ctx, 3) != "" {
		t.Fatalf("causes %v", All(ctx))
	}
	all := All(ctx)
	all[9] = "changed"
	if len(All(ctx)) != 2 {
		t.Fatal("All shares its map")
	}
}
