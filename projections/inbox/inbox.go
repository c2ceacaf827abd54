// Package inbox is the documents read model (projection and schema
// "inbox"): every document with its parties, status, times and stream
// version, read one at a time, as each recipient's inbox and as each
// sender's outbox, newest first.
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
	version, position   int64
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
		r := rows[documentID(payload)]
		r.version, r.position = e.StreamVersion, e.Position
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
		regs, sents, delivs, vers, poss := make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]int64, n), make([]int64, n)
		for i, r := range ins {
			ids[i], recips[i], senders[i], titles[i], kinds[i], hashes[i], statuses[i] = r.id, r.recipient, r.sender, r.title, r.kind, r.hash, r.status
			regs[i], sents[i], delivs[i], vers[i], poss[i] = r.registeredAt, r.sentAt, r.deliveredAt, r.version, r.position
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+table+` (document_id, recipient_party, sender_party, title, kind,
				content_sha256, status, registered_at, sent_at, delivered_at, stream_version, position)
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::bigint[])`,
			ids, recips, senders, titles, kinds, hashes, statuses, regs, sents, delivs, vers, poss)
		if err != nil {
			return fmt.Errorf("insert documents: %w", err)
		}
	}
	if len(upd) > 0 {
		n := len(upd)
		ids, statuses, sents, delivs, vers, poss := make([]uuid.UUID, n), make([]string, n), make([]*time.Time, n), make([]*time.Time, n), make([]int64, n), make([]int64, n)
		for i, r := range upd {
			ids[i], statuses[i], sents[i], delivs[i], vers[i], poss[i] = r.id, r.status, r.sentAt, r.deliveredAt, r.version, r.position
		}
		tag, err := tx.Exec(ctx, `UPDATE `+table+` d SET
				status = u.status,
				sent_at = coalesce(u.sent_at, d.sent_at),
				delivered_at = coalesce(u.delivered_at, d.delivered_at),
				stream_version = u.stream_version,
				position = u.position
			FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[], $6::bigint[])
				AS u(document_id, status, sent_at, delivered_at, stream_version, position)
			WHERE d.document_id = u.document_id`, ids, statuses, sents, delivs, vers, poss)
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

// Document is a document of the read model (package query).
type Document = query.Document

// Page is a page of an inbox or an outbox (package query).
type Page = query.DocumentPage

// ErrBadCursor is returned for a cursor the model did not issue.
var ErrBadCursor = query.ErrBadCursor

// Querier runs queries (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const columns = `document_id, recipient_party, sender_party, title, kind, content_sha256,
	status, registered_at, sent_at, delivered_at, stream_version, position`

func scan(rows pgx.Rows) (Document, error) {
	var d Document
	err := rows.Scan(&d.DocumentID, &d.RecipientParty, &d.SenderParty, &d.Title, &d.Kind, &d.ContentSHA256,
		&d.Status, &d.RegisteredAt, &d.SentAt, &d.DeliveredAt, &d.StreamVersion, &d.Position)
	d.RegisteredAt = d.RegisteredAt.UTC()
	if d.SentAt != nil {
		t := d.SentAt.UTC()
		d.SentAt = &t
	}
	if d.DeliveredAt != nil {
		t := d.DeliveredAt.UTC()
		d.DeliveredAt = &t
	}
	return d, err
}

// Get returns the document id (query.ErrDocumentNotFound when the model
// does not know it).
func Get(ctx context.Context, db Querier, id uuid.UUID) (Document, error) {
	rows, err := db.Query(ctx, `SELECT `+columns+` FROM inbox.documents WHERE document_id = $1`, id)
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Document{}, fmt.Errorf("document %s: %w", id, err)
		}
		return Document{}, query.ErrDocumentNotFound
	}
	return scan(rows)
}

// Query returns up to limit documents of party's inbox (the documents
// addressed to it), newest first, after cursor (keyset pagination on
// registration time and document id).
func Query(ctx context.Context, db Querier, party, cursor string, limit int) (Page, error) {
	return list(ctx, db, "recipient_party", party, cursor, limit)
}

// Outbox returns up to limit documents of party's outbox (the documents it
// registered as sender), newest first, after cursor, as Query does.
func Outbox(ctx context.Context, db Querier, party, cursor string, limit int) (Page, error) {
	return list(ctx, db, "sender_party", party, cursor, limit)
}

// list pages the documents whose column (recipient_party or sender_party,
// each with its index) is party.
func list(ctx context.Context, db Querier, column, party, cursor string, limit int) (Page, error) {
	var afterAt time.Time
	var afterID uuid.UUID
	useCursor := cursor != ""
	if useCursor {
		var err error
		if afterAt, afterID, err = decodeCursor(cursor); err != nil {
			return Page{}, err
		}
	}
	rows, err := db.Query(ctx, `SELECT `+columns+`
		FROM inbox.documents
		WHERE `+column+` = $1 AND (NOT $2 OR (registered_at, document_id) < ($3, $4))
		ORDER BY registered_at DESC, document_id DESC
		LIMIT $5`, party, useCursor, afterAt, afterID, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("documents of %s: %w", party, err)
	}
	defer rows.Close()
	page := Page{Documents: []Document{}}
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return Page{}, err
		}
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
