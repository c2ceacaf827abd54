// Package inbox is the inbox read model: the documents addressed to each
// recipient party, newest first, with their delivery status.
package inbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/projections"
	"docledger/query"
)

// Name is the read model's name and schema.
const Name = "inbox"

// Projection builds the inbox from document events.
type Projection struct {
	registry *event.Registry
}

// New returns the inbox projection; registry decodes document events.
func New(registry *event.Registry) *Projection { return &Projection{registry: registry} }

// Name is "inbox".
func (p *Projection) Name() string { return Name }

// EventTypes are the events the inbox applies.
func (p *Projection) EventTypes() []string { return []string{"document."} }

// Tables are the inbox's tables.
func (p *Projection) Tables() []string { return []string{"documents"} }

// row is a document's inbox row as a batch leaves it.
type row struct {
	id                  uuid.UUID
	isNew               bool // registered in this batch: insert
	recipient, sender   string
	title, kind, hash   string
	status              string
	registeredAt        time.Time
	sentAt, deliveredAt *time.Time
	position            int64
}

// Apply folds the batch per document in memory, then writes it with two
// set-based statements: one INSERT of the documents registered in the batch
// and one UPDATE of the others.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	rows := map[uuid.UUID]*row{}
	var order []uuid.UUID
	get := func(id uuid.UUID) *row {
		r, ok := rows[id]
		if !ok {
			r = &row{id: id}
			rows[id] = r
			order = append(order, id)
		}
		return r
	}
	for _, e := range events {
		if !strings.HasPrefix(e.Type, "document.") {
			continue
		}
		payload, err := p.registry.Decode(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
		switch ev := payload.(type) {
		case document.Registered:
			r := get(ev.DocumentID)
			r.isNew, r.recipient, r.sender, r.title = true, ev.RecipientParty, ev.SenderParty, ev.Title
			r.kind, r.hash, r.status, r.registeredAt = string(ev.Kind), ev.ContentSHA256, string(document.StatusRegistered), ev.RegisteredAt
		case document.Sent:
			r := get(ev.DocumentID)
			t := ev.SentAt
			r.sentAt, r.status = &t, string(document.StatusSent)
		case document.Delivered:
			r := get(ev.DocumentID)
			t := ev.DeliveredAt
			r.deliveredAt, r.status = &t, string(document.StatusDelivered)
		default:
			continue
		}
		rows[documentID(payload)].position = e.Position
	}
	var ins, upd []*row
	for _, id := range order {
		if r := rows[id]; r.isNew {
			ins = append(ins, r)
		} else {
			upd = append(upd, r)
		}
	}
	table := projections.Table(schema, "documents")
	if len(ins) > 0 {
		n := len(ins)
		ids, recips, senders, titles, kinds, hashes, statuses := make([]uuid.UUID, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		regs, sents, delivs, poss := make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]int64, n)
		for i, r := range ins {
			ids[i], recips[i], senders[i], titles[i], kinds[i], hashes[i], statuses[i] = r.id, r.recipient, r.sender, r.title, r.kind, r.hash, r.status
			regs[i], sents[i], delivs[i], poss[i] = r.registeredAt, r.sentAt, r.deliveredAt, r.position
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+table+` (document_id, recipient_party, sender_party, title, kind,
				content_sha256, status, registered_at, sent_at, delivered_at, position)
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::bigint[])`,
			ids, recips, senders, titles, kinds, hashes, statuses, regs, sents, delivs, poss)
		if err != nil {
			return fmt.Errorf("insert documents: %w", err)
		}
	}
	if len(upd) > 0 {
		n := len(upd)
		ids, statuses, sents, delivs, poss := make([]uuid.UUID, n), make([]string, n), make([]*time.Time, n), make([]*time.Time, n), make([]int64, n)
		for i, r := range upd {
			ids[i], statuses[i], sents[i], delivs[i], poss[i] = r.id, r.status, r.sentAt, r.deliveredAt, r.position
		}
		tag, err := tx.Exec(ctx, `UPDATE `+table+` d SET
				status = u.status,
				sent_at = coalesce(u.sent_at, d.sent_at),
				delivered_at = coalesce(u.delivered_at, d.delivered_at),
				position = u.position
			FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[])
				AS u(document_id, status, sent_at, delivered_at, position)
			WHERE d.document_id = u.document_id`, ids, statuses, sents, delivs, poss)
		if err != nil {
			return fmt.Errorf("update documents: %w", err)
		}
		if int(tag.RowsAffected()) != n {
			return fmt.Errorf("update documents: %d of %d documents were never registered", n-int(tag.RowsAffected()), n)
		}
	}
	return nil
}

func documentID(p event.Payload) uuid.UUID {
	switch e := p.(type) {
	case document.Registered:
		return e.DocumentID
	case document.Sent:
		return e.DocumentID
	case document.Delivered:
		return e.DocumentID
	}
	return uuid.Nil
}

// Document is InboxDocument (package query).
type Document = query.InboxDocument

// Page is InboxPage (package query).
type Page = query.InboxPage

// ErrBadCursor is returned for a cursor the inbox did not issue.
var ErrBadCursor = query.ErrBadCursor

// Querier runs queries (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Query returns up to limit documents of party's inbox, newest first, after
// cursor (keyset pagination on registration time and document id).
func Query(ctx context.Context, db Querier, party, cursor string, limit int) (Page, error) {
	var afterAt time.Time
	var afterID uuid.UUID
	useCursor := cursor != ""
	if useCursor {
		var err error
		if afterAt, afterID, err = decodeCursor(cursor); err != nil {
			return Page{}, err
		}
	}
	rows, err := db.Query(ctx, `SELECT document_id, recipient_party, sender_party, title, kind, content_sha256,
			status, registered_at, sent_at, delivered_at, position
		FROM inbox.documents
		WHERE recipient_party = $1 AND (NOT $2 OR (registered_at, document_id) < ($3, $4))
		ORDER BY registered_at DESC, document_id DESC
		LIMIT $5`, party, useCursor, afterAt, afterID, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("inbox of %s: %w", party, err)
	}
	defer rows.Close()
	page := Page{Documents: []Document{}}
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.DocumentID, &d.RecipientParty, &d.SenderParty, &d.Title, &d.Kind, &d.ContentSHA256,
			&d.Status, &d.RegisteredAt, &d.SentAt, &d.DeliveredAt, &d.Position); err != nil {
			return Page{}, err
		}
		d.RegisteredAt = d.RegisteredAt.UTC()
		page.Documents = append(page.Documents, d)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(page.Documents) > limit {
		page.Documents = page.Documents[:limit]
		last := page.Documents[limit-1]
		page.Next = encodeCursor(last.RegisteredAt, last.DocumentID)
	}
	return page, nil
}

func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	return t, u, nil
}
