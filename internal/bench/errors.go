package bench

import "errors"

var (
	// errCollected ends a collection that has every item.
	errCollected = errors.New("collected")
	// errTooManyPolls is a setup whose polls ran out before its tasks came.
	errTooManyPolls = errors.New("the endpoint did not hand out the tasks within the setup's polls")
)
