package commands

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/event"
	"docledger/eventstore"
)

// RetryPolicy bounds the retries of an append that conflicts.
type RetryPolicy struct {
	Attempts  int           // total attempts, at least 1
	BaseDelay time.Duration // first backoff, doubled each retry, with jitter
}

// DefaultRetry retries a conflicting append up to four more times.
var DefaultRetry = RetryPolicy{Attempts: 5, BaseDelay: 2 * time.Millisecond}

// Repository loads an aggregate, runs a change on it and appends the events
// the change recorded, with the version it was loaded at as the expected one.
type Repository[A domain.Aggregate] struct {
	store    eventstore.Writer
	registry *event.Registry
	newAgg   func(id string) A
	clock    domain.Clock
	newID    func() uuid.UUID
	retry    RetryPolicy
	cache    *StreamCache

	snapshots     eventstore.Snapshots
	snapshotEvery int
}

// RepositoryConfig configures a Repository.
type RepositoryConfig[A domain.Aggregate] struct {
	Store    eventstore.Writer
	Registry *event.Registry
	// New returns an empty aggregate for an aggregate ID.
	New   func(id string) A
	Clock domain.Clock
	// NewID generates event IDs (UUIDv7).
	NewID func() uuid.UUID
	Retry RetryPolicy
	// Cache keeps the states of recently used streams in memory, so that a
	// command costs one round trip. Nil loads every stream from the store.
	Cache *StreamCache
	// Snapshots is the snapshot hook for long streams: aggregates that
	// implement domain.Snapshotter load from their latest snapshot, and one is
	// saved every SnapshotEvery events (default 100). Nil: no snapshots.
	Snapshots     eventstore.Snapshots
	SnapshotEvery int
}

// NewRepository returns a repository, refusing missing dependencies.
func NewRepository[A domain.Aggregate](cfg RepositoryConfig[A]) (*Repository[A], error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("repository: nil event store")
	case cfg.Registry == nil:
		return nil, errors.New("repository: nil event registry")
	case cfg.New == nil:
		return nil, errors.New("repository: nil aggregate constructor")
	case cfg.Clock == nil:
		return nil, errors.New("repository: nil clock")
	}
	if cfg.NewID == nil {
		cfg.NewID = func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	}
	if cfg.Retry.Attempts < 1 {
		cfg.Retry = DefaultRetry
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 100
	}
	return &Repository[A]{store: cfg.Store, registry: cfg.Registry, newAgg: cfg.New, clock: cfg.Clock,
		newID: cfg.NewID, retry: cfg.Retry, cache: cfg.Cache, snapshots: cfg.Snapshots, snapshotEvery: cfg.SnapshotEvery}, nil
}

// Update loads the aggregate id, calls change with it and the business time,
// and appends what change recorded, with meta as the events' cause and the
// fingerprint of the request in meta (Meta.RequestSHA256). A change that records nothing
// writes nothing. A conflicting append is retried from a fresh load, with backoff,
// up to the retry policy's attempts; then the conflict is returned.
func (r *Repository[A]) Update(ctx context.Context, meta Meta, id string, change func(a A, now time.Time) error) (Result, error) {
	var lastErr error
	delay := r.retry.BaseDelay
	for attempt := 0; attempt < r.retry.Attempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Result{}, ctx.Err()
			case <-time.After(delay/2 + rand.N(delay)):
			}
			delay *= 2
		}
		fresh := attempt > 0
		agg, hist, cachedState, err := r.load(ctx, id, fresh)
		if err != nil {
			return Result{}, err
		}
		if meta.ExpectedVersion != nil && *meta.ExpectedVersion != agg.Version() {
			if cachedState {
				if agg, hist, cachedState, err = r.load(ctx, id, true); err != nil {
					return Result{}, err
				}
			}
			if *meta.ExpectedVersion != agg.Version() {
				return Result{}, ErrWrongVersion.Withf("expected %d, actual %d", *meta.ExpectedVersion, agg.Version())
			}
		}
		now := r.clock.Now()
		if err := change(agg, now); err != nil {
			if !cachedState {
				return Result{}, err
			}
			// A refusal must be decided on the current state: reload and ask again.
			if agg, hist, _, err = r.load(ctx, id, true); err != nil {
				return Result{}, err
			}
			if err := change(agg, now); err != nil {
				return Result{}, err
			}
		}
		res, err := r.commit(ctx, meta, agg, hist, now)
		if errors.Is(err, eventstore.ErrConflict) {
			lastErr = err
			r.cache.forget(agg.StreamID())
			continue
		}
		return res, err
	}
	return Result{}, fmt.Errorf("after %d attempts: %w", r.retry.Attempts, lastErr)
}

// Create runs change on a new, empty aggregate id without reading its stream
// (registering a new document costs one round trip) and appends with "no
// stream" as the expected version. If the stream exists after all, it falls
// back to Update: load, and decide again.
func (r *Repository[A]) Create(ctx context.Context, meta Meta, id string, change func(a A, now time.Time) error) (Result, error) {
	agg := r.newAgg(id)
	if _, _, cached := r.cache.get(agg.StreamID()); cached || meta.ExpectedVersion != nil {
		return r.Update(ctx, meta, id, change)
	}
	now := r.clock.Now()
	if err := change(agg, now); err != nil {
		return Result{}, err // refused on an empty aggregate: a refusal whatever the stream holds
	}
	res, err := r.commit(ctx, meta, agg, history{}, now)
	if errors.Is(err, eventstore.ErrConflict) {
		return r.Update(ctx, meta, id, change)
	}
	return res, err
}

// commit appends the changes agg recorded, expecting the version it was
// loaded at, and caches the new state. A change that records nothing writes
// nothing.
func (r *Repository[A]) commit(ctx context.Context, meta Meta, agg A, h history, now time.Time) (Result, error) {
	changes := agg.Changes()
	if len(changes) == 0 {
		return Result{StreamID: agg.StreamID(), StreamVersion: agg.Version()}, nil
	}
	envs := make([]eventstore.Envelope, len(changes))
	for i, p := range changes {
		enc, err := r.registry.Encode(p)
		if err != nil {
			return Result{}, err
		}
		envs[i] = eventstore.Envelope{ID: r.newID(), Type: enc.Type, SchemaVersion: enc.SchemaVersion, Data: enc.Data,
			OccurredAt: now, Cause: eventstore.Cause{Actor: meta.Actor, CommandID: meta.CommandID, CausationID: meta.CausationID,
				CorrelationID: meta.CorrelationID, RequestSHA256: meta.RequestSHA256}}
	}
	res, err := r.store.Append(ctx, agg.StreamID(), eventstore.ExpectedVersion(agg.Version()), envs...)
	if err != nil {
		return Result{}, err
	}
	if !res.Duplicate {
		h.payloads = append(h.payloads[:len(h.payloads):len(h.payloads)], changes...)
		h = r.maybeSnapshot(ctx, agg, h, res.StreamVersion)
		r.cache.put(agg.StreamID(), res.StreamVersion, h)
	}
	return Result{StreamID: agg.StreamID(), StreamVersion: res.StreamVersion, Position: res.LastPosition, Duplicate: res.Duplicate}, nil
}

// maybeSnapshot saves a snapshot of agg at version when the aggregate can be
// snapshotted and SnapshotEvery events have passed since the last one, and
// returns the history the cache keeps from then on. A failed save costs only
// speed; it is not the command's failure.
func (r *Repository[A]) maybeSnapshot(ctx context.Context, agg A, h history, version int64) history {
	snap, ok := any(agg).(domain.Snapshotter)
	if !ok || r.snapshots == nil || version-h.snapVersion < int64(r.snapshotEvery) {
		return h
	}
	state, err := snap.Snapshot()
	if err != nil {
		return h
	}
	if err := r.snapshots.SaveSnapshot(ctx, agg.StreamID(), version, state); err != nil {
		return h
	}
	return history{snapshot: state, snapVersion: version}
}

// Load returns the current state of aggregate id (for queries that must see
// the aggregate itself, and for tests).
func (r *Repository[A]) Load(ctx context.Context, id string) (A, error) {
	a, _, _, err := r.load(ctx, id, true)
	return a, err
}

// history is how an aggregate's state is rebuilt: an optional snapshot and
// the events after it.
type history struct {
	snapshot    []byte
	snapVersion int64
	payloads    []event.Payload
}

// rebuild applies h to a new aggregate.
func (r *Repository[A]) rebuild(id string, h history) (A, error) {
	agg := r.newAgg(id)
	if h.snapshot != nil {
		if err := any(agg).(domain.Snapshotter).Restore(h.snapshot, h.snapVersion); err != nil {
			return agg, fmt.Errorf("restore %s at version %d: %w", agg.StreamID(), h.snapVersion, err)
		}
	}
	for _, p := range h.payloads {
		agg.Apply(p)
	}
	return agg, nil
}

// load builds the aggregate from the cache (unless fresh), else from its
// latest snapshot (when the aggregate and the store have one) and the events
// after it. It returns the history it applied and whether it was cached.
func (r *Repository[A]) load(ctx context.Context, id string, fresh bool) (A, history, bool, error) {
	agg := r.newAgg(id)
	stream := agg.StreamID()
	if !fresh {
		if v, h, ok := r.cache.get(stream); ok {
			agg, err := r.rebuild(id, h)
			if err != nil {
				return agg, history{}, false, err
			}
			agg.Loaded(v)
			// Optimistic: the cached state is used as is; if the stream moved
			// on, the append's expected version catches it and we reload.
			return agg, h, true, nil
		}
	}
	var h history
	var version int64
	if _, ok := any(agg).(domain.Snapshotter); ok && r.snapshots != nil {
		state, v, err := r.snapshots.LoadSnapshot(ctx, stream)
		switch {
		case err == nil:
			h.snapshot, h.snapVersion, version = state, v, v
			if agg, err = r.rebuild(id, h); err != nil {
				return agg, history{}, false, err
			}
			agg.Loaded(v)
		case !errors.Is(err, eventstore.ErrNoSnapshot):
			return agg, history{}, false, err
		}
	}
	recs, err := r.store.ReadStream(ctx, stream, version)
	if err != nil {
		return agg, history{}, false, fmt.Errorf("load %s: %w", stream, err)
	}
	for _, rec := range recs {
		p, err := r.registry.Decode(rec.Type, rec.SchemaVersion, rec.Data)
		if err != nil {
			return agg, history{}, false, fmt.Errorf("load %s at version %d: %w", stream, rec.StreamVersion, err)
		}
		agg.Apply(p)
		agg.Loaded(rec.StreamVersion)
		h.payloads = append(h.payloads, p)
	}
	return agg, h, false, nil
}
