package eventstore

import (
	"context"
	"time"
)

// Follow delivers every event after position after to fn, a batch at a
// time and in the log's order: first those already stored, then new ones as
// they become readable (woken by the reader's Wake, or every poll when no
// wake-up comes). It returns when ctx ends (with ctx's error) or when fn
// returns an error (with that error); the caller resumes from the last
// position fn accepted.
func Follow(ctx context.Context, r LogReader, after int64, poll time.Duration, fn func(context.Context, []Record) error) error {
	const batch = 1000
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		woken := r.Wake() // taken before the read, so that no wake-up is lost
		recs, err := r.ReadAll(ctx, after, batch)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			if err := fn(ctx, recs); err != nil {
				return err
			}
			after = recs[len(recs)-1].Position
			if len(recs) == batch {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
		case <-ticker.C:
		}
	}
}
