package commands

import (
	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
)

// DocumentDeps are what the document commands need.
type DocumentDeps struct {
	Store    eventstore.Writer
	Registry *event.Registry
	Clock    domain.Clock
	Cache    *StreamCache
	Retry    RetryPolicy
	// Snapshots, when set, keeps snapshots of document streams.
	Snapshots eventstore.Snapshots
}

// RegisterDocumentHandlers registers the document commands' handlers on bus.
func RegisterDocumentHandlers(bus Registrar, d DocumentDeps) error {
	repo, err := NewRepository(RepositoryConfig[*document.Document]{
		Store: d.Store, Registry: d.Registry, Clock: d.Clock, Cache: d.Cache, Retry: d.Retry, Snapshots: d.Snapshots,
		New: func(id string) *document.Document {
			u, _ := uuid.Parse(id) // commands carry uuid.UUID; an unparsable id cannot arrive
			return document.New(u)
		},
	})
	if err != nil {
		return err
	}
	reg, err := NewRegisterDocumentHandler(repo)
	if err != nil {
		return err
	}
	send, err := NewSendDocumentHandler(repo)
	if err != nil {
		return err
	}
	deliver, err := NewDeliverDocumentHandler(repo)
	if err != nil {
		return err
	}
	if err := Handle(bus, d.Store, reg.Handle); err != nil {
		return err
	}
	if err := Handle(bus, d.Store, send.Handle); err != nil {
		return err
	}
	return Handle(bus, d.Store, deliver.Handle)
}
