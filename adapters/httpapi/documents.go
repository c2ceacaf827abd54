package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/commands"
	"docledger/domain/document"
	"docledger/query"
)

// idempotencyNamespace derives document ids from idempotency keys, so that a
// retried registration without an explicit id names the same document.
var idempotencyNamespace = uuid.MustParse("6f1c3b0e-8a8e-4d3c-9f55-2b7e0c6d9a11")

// meta builds a command's meta from the request: the command id is the
// Idempotency-Key header (generated when absent) scoped to the
// authenticated principal, so that another principal's key never replays
// its result; the actor is the principal (an X-Ledger-Actor header is
// ignored: nobody names their own actor); and the correlation id. It
// answers the client itself and returns false for a bad key.
func meta(w http.ResponseWriter, r *http.Request) (commands.Meta, bool) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = newID()
	} else if len(key) > 200 || strings.IndexFunc(key, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		writeError(w, r, http.StatusBadRequest, "invalid_idempotency_key", "Idempotency-Key must be at most 200 printable characters")
		return commands.Meta{}, false
	}
	w.Header().Set("Idempotency-Key", key)
	actor := policy.From(r.Context()).Actor()
	m := commands.Meta{CommandID: keyScope(actor) + ":" + key, Actor: actor, CorrelationID: correlationID(r.Context())}
	if im := r.Header.Get("If-Match"); im != "" {
		v, err := strconv.ParseInt(strings.Trim(im, `"`), 10, 64)
		if err != nil || v < 0 {
			writeError(w, r, http.StatusBadRequest, "invalid_if_match", "If-Match must be a stream version (a non-negative integer)")
			return commands.Meta{}, false
		}
		m.ExpectedVersion = &v
	}
	return m, true
}

// keyScope is the namespace of a principal's idempotency keys: the first
// 16 hex digits of the SHA-256 of its actor.
func keyScope(actor string) string {
	sum := sha256.Sum256([]byte(actor))
	return hex.EncodeToString(sum[:8])
}

// commandResponse is the answer to a command.
type commandResponse struct {
	DocumentID    uuid.UUID `json:"document_id,omitempty"`
	StreamID      string    `json:"stream_id"`
	StreamVersion int64     `json:"stream_version"`
	Position      int64     `json:"position"`
	Duplicate     bool      `json:"duplicate,omitempty"`
}

type registerRequest struct {
	DocumentID     *uuid.UUID    `json:"document_id"`
	SenderParty    string        `json:"sender_party"`
	RecipientParty string        `json:"recipient_party"`
	Kind           document.Kind `json:"kind"`
	Title          string        `json:"title"`
	ContentSHA256  string        `json:"content_sha256"`
}

func (s *Server) registerDocument(w http.ResponseWriter, r *http.Request) {
	m, ok := meta(w, r)
	if !ok {
		return
	}
	var req registerRequest
	if !s.decode(w, r, &req) || !s.authorize(w, r, policy.DocumentRegister, policy.Resource{PartyRef: req.SenderParty}) {
		return
	}
	id := uuid.NewSHA1(idempotencyNamespace, []byte(m.CommandID))
	if req.DocumentID != nil {
		id = *req.DocumentID
	}
	if id == uuid.Nil {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "document_id must not be the nil UUID")
		return
	}
	s.command(w, r, m, id, http.StatusCreated, &commands.RegisterDocument{
		DocumentID: id, SenderParty: req.SenderParty, RecipientParty: req.RecipientParty,
		Kind: req.Kind, Title: req.Title, ContentSHA256: req.ContentSHA256,
	})
}

func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request) {
	s.documentCommand(w, r, func(id uuid.UUID) commands.Command { return &commands.SendDocument{DocumentID: id} })
}

func (s *Server) deliverDocument(w http.ResponseWriter, r *http.Request) {
	s.documentCommand(w, r, func(id uuid.UUID) commands.Command { return &commands.DeliverDocument{DocumentID: id} })
}

// documentCommand handles a command on the document in the path, whose body
// is empty or an empty object.
func (s *Server) documentCommand(w http.ResponseWriter, r *http.Request, build func(uuid.UUID) commands.Command) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	m, ok := meta(w, r)
	if !ok || !s.emptyBody(w, r) {
		return
	}
	s.command(w, r, m, id, http.StatusOK, build(id))
}

// clientCommands are the commands the generic endpoint accepts: those a
// client (a party's user or its integration) sends. The operator's own
// commands (publishing and withdrawing offer versions, amendment notices)
// have only their dedicated routes, and a command added later is not
// exposed here until it is listed.
var clientCommands = map[string]bool{
	"RegisterDocument": true, "SendDocument": true, "DeliverDocument": true,
	"RegisterParty": true, "CompleteRegistrationStage": true, "AcceptOffer": true, "AddPartyUser": true,
	"RemovePartyUser": true, "OpenOrgUnit": true, "BindCertificate": true, "ChangeRequisites": true,
	"ReportCompromise": true, "NotifyTermination": true, "AcceptTariff": true, "ObjectToAmendment": true,
}

// genericCommand accepts a client command the bus handles, by its type
// name, with the command's payload as the body.
func (s *Server) genericCommand(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("type")
	cmd, ok := s.cfg.Bus.NewCommand(name)
	if !ok || !clientCommands[name] {
		writeError(w, r, http.StatusNotFound, commands.ErrUnknownCommand.Code, "unknown command type "+strconv.Quote(r.PathValue("type")))
		return
	}
	m, ok := meta(w, r)
	if !ok || !s.decode(w, r, cmd) {
		return
	}
	if id := cmd.AggregateID(); id == "" || id == uuid.Nil.String() {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "the command names no aggregate: its id is missing")
		return
	}
	action, res, err := commandRule(cmd)
	if err != nil {
		s.writeErr(w, r, "authorisation", err)
		return
	}
	if !s.authorize(w, r, action, res) {
		return
	}
	if res, ok := s.dispatch(w, r, m, cmd); ok {
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) command(w http.ResponseWriter, r *http.Request, m commands.Meta, id uuid.UUID, status int, cmd commands.Command) {
	if res, ok := s.dispatch(w, r, m, cmd); ok {
		writeJSON(w, status, commandResponse{DocumentID: id, StreamID: res.StreamID, StreamVersion: res.StreamVersion,
			Position: res.Position, Duplicate: res.Duplicate})
	}
}

// dispatch sends cmd and, when the bus refuses or fails it, answers the
// client itself; on success it sets the Idempotent-Replayed and ETag headers
// and leaves the body to the caller.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, m commands.Meta, cmd commands.Command) (commands.Result, bool) {
	res, err := s.cfg.Bus.Send(r.Context(), m, cmd)
	if err != nil {
		s.writeErr(w, r, "command", err)
		return res, false
	}
	if res.Duplicate {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(res.StreamVersion, 10)))
	return res, true
}

// emptyBody accepts no body or an empty JSON object, answering anything else.
func (s *Server) emptyBody(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength == 0 {
		return true
	}
	var empty struct{}
	return s.decode(w, r, &empty)
}

// getDocument answers the document as the read model knows it, with its
// stream version as the ETag (to send back as If-Match).
func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	d, err := s.cfg.Reads.Document(r.Context(), id)
	if err != nil {
		s.writeErr(w, r, "document query", err)
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(d.StreamVersion, 10)))
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) partyInbox(w http.ResponseWriter, r *http.Request) {
	s.documentList(w, r, "inbox query", s.cfg.Reads.Inbox)
}

func (s *Server) partyOutbox(w http.ResponseWriter, r *http.Request) {
	s.documentList(w, r, "outbox query", s.cfg.Reads.Outbox)
}

// documentList answers a page of the documents of the party in the path
// (its inbox or its outbox) after the cursor query parameter.
func (s *Server) documentList(w http.ResponseWriter, r *http.Request, what string,
	list func(ctx context.Context, party, cursor string, limit int) (query.DocumentPage, error)) {
	party := r.PathValue("id")
	if party == "" || len(party) > 100 {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "a party id is 1 to 100 characters")
		return
	}
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			writeError(w, r, http.StatusBadRequest, "invalid_limit", "limit must be 1 to 500")
			return
		}
		limit = n
	}
	page, err := list(r.Context(), party, r.URL.Query().Get("cursor"), limit)
	answer(s, w, r, what, page, err)
}
