package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/commands"
	"docledger/query"
)

// partyRoutes registers the party and offer endpoints (docs/openapi.yaml).
func (s *Server) partyRoutes() {
	s.route("POST /api/v1/offers/{id}/versions", Rule{Action: policy.OfferPublish}, s.publishOfferVersion)
	s.route("POST /api/v1/offers/{id}/versions/{n}/withdraw", Rule{Action: policy.OfferPublish}, s.withdrawOfferVersion)
	s.route("GET /api/v1/offers/{id}", Rule{Action: policy.OfferRead}, s.getOffer)
	s.route("POST /api/v1/parties", Rule{Action: policy.PartyRegister}, s.registerParty)
	s.route("POST /api/v1/parties/{id}/stages", Rule{Action: policy.PartyManage, From: onParty}, s.completeStage)
	s.route("POST /api/v1/parties/{id}/acceptances", Rule{Action: policy.PartyAccept, From: onParty}, s.acceptOffer)
	s.route("POST /api/v1/parties/{id}/users", Rule{Action: policy.PartyManageUsers, From: onParty}, s.addPartyUser)
	s.route("POST /api/v1/parties/{id}/org-units", Rule{Action: policy.PartyManage, From: onParty}, s.openOrgUnit)
	s.route("POST /api/v1/parties/{id}/certificates", Rule{Action: policy.PartyManageUsers, From: onParty}, s.bindCertificate)
	s.route("POST /api/v1/parties/{id}/users/{iin}/remove", Rule{Action: policy.PartyManageUsers, From: onParty}, s.removePartyUser)
	s.route("POST /api/v1/parties/{id}/compromise-reports", Rule{Action: policy.PartyManage, From: onParty}, s.reportCompromise)
	s.route("POST /api/v1/parties/{id}/termination", Rule{Action: policy.PartyManage, From: onParty}, s.notifyTermination)
	s.route("POST /api/v1/parties/{id}/tariff-acceptances", Rule{Action: policy.PartyAccept, From: onParty}, s.acceptTariff)
	s.route("POST /api/v1/parties/{id}/amendment-objections", Rule{Action: policy.PartyAccept, From: onParty}, s.objectToAmendment)
	s.route("POST /api/v1/parties/{id}/requisites", Rule{Action: policy.PartyManage, From: onParty}, s.changeRequisites)
	s.route("POST /api/v1/offers/{id}/versions/{n}/notices", Rule{Action: policy.OfferPublish}, s.sendAmendmentNotice)
	s.route("GET /api/v1/parties/terms-ending", Rule{Action: policy.TermsRead}, s.termsEnding)
	s.route("GET /api/v1/parties/{id}", Rule{Action: policy.PartyRead, From: onParty}, s.getParty)
	s.route("GET /api/v1/parties/{id}/acceptance-proof", Rule{Action: policy.AcceptanceProofRead, From: onParty}, s.acceptanceProof)
	s.route("GET /api/v1/parties/{id}/offer-at", Rule{Action: policy.PartyRead, From: onParty}, s.offerAt)
}

// partyResponse is the answer to a party or offer command.
type partyResponse struct {
	PartyID       *uuid.UUID `json:"party_id,omitempty"`
	OfferID       string     `json:"offer_id,omitempty"`
	StreamID      string     `json:"stream_id"`
	StreamVersion int64      `json:"stream_version"`
	Position      int64      `json:"position"`
	Duplicate     bool       `json:"duplicate,omitempty"`
}

// send sends cmd and answers with status and its result.
func (s *Server) send(w http.ResponseWriter, r *http.Request, m commands.Meta, status int, cmd commands.Command, resp partyResponse) {
	if res, ok := s.dispatch(w, r, m, cmd); ok {
		resp.StreamID, resp.StreamVersion, resp.Position, resp.Duplicate = res.StreamID, res.StreamVersion, res.Position, res.Duplicate
		writeJSON(w, status, resp)
	}
}

// partyCommand decodes a command on the party in the path into cmd and
// sends it; a party_id in the body must be the path's.
func (s *Server) partyCommand(w http.ResponseWriter, r *http.Request, cmd commands.Command, partyID *uuid.UUID) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	m, ok := meta(w, r)
	if !ok || !s.decode(w, r, cmd) {
		return
	}
	if *partyID != uuid.Nil && *partyID != id {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "party_id in the body differs from the path")
		return
	}
	*partyID = id
	s.send(w, r, m, http.StatusOK, cmd, partyResponse{PartyID: &id})
}

func (s *Server) registerParty(w http.ResponseWriter, r *http.Request) {
	m, ok := meta(w, r)
	if !ok {
		return
	}
	var cmd commands.RegisterParty
	if !s.decode(w, r, &cmd) {
		return
	}
	if cmd.PartyID == uuid.Nil {
		// A retried registration without an explicit id names the same party.
		cmd.PartyID = uuid.NewSHA1(partyNamespace, []byte(m.CommandID))
	}
	id := cmd.PartyID
	s.send(w, r, m, http.StatusCreated, &cmd, partyResponse{PartyID: &id})
}

// partyNamespace derives party ids from idempotency keys.
var partyNamespace = uuid.MustParse("3d0f8b6e-2c1a-4f5e-9a7b-8c6d5e4f3a21")

func (s *Server) completeStage(w http.ResponseWriter, r *http.Request) {
	var cmd commands.CompleteRegistrationStage
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) acceptOffer(w http.ResponseWriter, r *http.Request) {
	var cmd commands.AcceptOffer
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) addPartyUser(w http.ResponseWriter, r *http.Request) {
	var cmd commands.AddPartyUser
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) openOrgUnit(w http.ResponseWriter, r *http.Request) {
	var cmd commands.OpenOrgUnit
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) bindCertificate(w http.ResponseWriter, r *http.Request) {
	var cmd commands.BindCertificate
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) reportCompromise(w http.ResponseWriter, r *http.Request) {
	var cmd commands.ReportCompromise
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) notifyTermination(w http.ResponseWriter, r *http.Request) {
	var cmd commands.NotifyTermination
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) acceptTariff(w http.ResponseWriter, r *http.Request) {
	var cmd commands.AcceptTariff
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) objectToAmendment(w http.ResponseWriter, r *http.Request) {
	var cmd commands.ObjectToAmendment
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) changeRequisites(w http.ResponseWriter, r *http.Request) {
	var cmd commands.ChangeRequisites
	s.partyCommand(w, r, &cmd, &cmd.PartyID)
}

func (s *Server) removePartyUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	m, ok := meta(w, r)
	if !ok || !s.emptyBody(w, r) {
		return
	}
	s.send(w, r, m, http.StatusOK, &commands.RemovePartyUser{PartyID: id, IIN: r.PathValue("iin")}, partyResponse{PartyID: &id})
}

// offerID reads the {id} path value: an offer id is a lowercase slug.
func offerID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > 80 {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "an offer id is 1 to 80 characters")
		return "", false
	}
	return id, true
}

func (s *Server) publishOfferVersion(w http.ResponseWriter, r *http.Request) {
	id, ok := offerID(w, r)
	if !ok {
		return
	}
	m, ok := meta(w, r)
	if !ok {
		return
	}
	var cmd commands.PublishOfferVersion
	if !s.decode(w, r, &cmd) {
		return
	}
	if cmd.OfferID != "" && cmd.OfferID != id {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "offer_id in the body differs from the path")
		return
	}
	cmd.OfferID = id
	s.send(w, r, m, http.StatusCreated, &cmd, partyResponse{OfferID: id})
}

func (s *Server) withdrawOfferVersion(w http.ResponseWriter, r *http.Request) {
	id, ok := offerID(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		writeError(w, r, http.StatusBadRequest, "invalid_version", "the version in the path is a positive integer")
		return
	}
	m, ok := meta(w, r)
	if !ok {
		return
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.send(w, r, m, http.StatusOK, &commands.WithdrawOfferVersion{OfferID: id, Version: n, Reason: body.Reason}, partyResponse{OfferID: id})
}

func (s *Server) sendAmendmentNotice(w http.ResponseWriter, r *http.Request) {
	id, ok := offerID(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		writeError(w, r, http.StatusBadRequest, "invalid_version", "the version in the path is a positive integer")
		return
	}
	m, ok := meta(w, r)
	if !ok {
		return
	}
	var body struct {
		Channel    string `json:"channel"`
		Recipients string `json:"recipients"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	s.send(w, r, m, http.StatusOK, &commands.SendAmendmentNotice{OfferID: id, Version: n, Channel: body.Channel, Recipients: body.Recipients}, partyResponse{OfferID: id})
}

func (s *Server) getOffer(w http.ResponseWriter, r *http.Request) {
	id, ok := offerID(w, r)
	if !ok {
		return
	}
	vs, err := s.cfg.Reads.OfferVersions(r.Context(), id)
	answer(s, w, r, "offer query", offerAnswer{OfferID: id, Versions: vs}, err)
}

// offerAnswer is the answer to GET /api/v1/offers/{id}.
type offerAnswer struct {
	OfferID  string               `json:"offer_id"`
	Versions []query.OfferVersion `json:"versions"`
}

func (s *Server) getParty(w http.ResponseWriter, r *http.Request) {
	if id, ok := pathID(w, r); ok {
		p, err := s.cfg.Reads.Party(r.Context(), id)
		answer(s, w, r, "party query", p, err)
	}
}

func (s *Server) acceptanceProof(w http.ResponseWriter, r *http.Request) {
	if id, ok := pathID(w, r); ok {
		p, err := s.cfg.Reads.AcceptanceProof(r.Context(), id)
		answer(s, w, r, "acceptance proof query", p, err)
	}
}

// queryTime reads the RFC 3339 query parameter name; def when absent.
func queryTime(w http.ResponseWriter, r *http.Request, name string, def *time.Time) (time.Time, bool) {
	v := r.URL.Query().Get(name)
	if v == "" && def != nil {
		return *def, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "invalid_time", name+" must be an RFC 3339 time")
		return time.Time{}, false
	}
	return t, true
}

func (s *Server) offerAt(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	t, ok := queryTime(w, r, "t", nil)
	if !ok {
		return
	}
	res, err := s.cfg.Reads.OfferAt(r.Context(), id, t)
	answer(s, w, r, "offer-at query", res, err)
}

func (s *Server) termsEnding(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Clock.Now().UTC()
	from, ok := queryTime(w, r, "from", &now)
	if !ok {
		return
	}
	before, ok := queryTime(w, r, "before", nil)
	if !ok {
		return
	}
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, r, http.StatusBadRequest, "invalid_limit", "limit must be 1 to 1000")
			return
		}
		limit = n
	}
	ts, err := s.cfg.Reads.TermsEnding(r.Context(), from, before, limit)
	answer(s, w, r, "terms query", termsAnswer{From: from.UTC(), Before: before.UTC(), Terms: ts}, err)
}

// termsAnswer is the answer to GET /api/v1/parties/terms-ending.
type termsAnswer struct {
	From   time.Time    `json:"from"`
	Before time.Time    `json:"before"`
	Terms  []query.Term `json:"terms"`
}
