package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
)

// Grants records an administrator's grant of a case (a party's data) to an
// arbiter (the composition root implements it over the arbiter_grants
// table). Granting again is no error.
type Grants interface {
	Grant(ctx context.Context, g ArbiterGrant) error
}

// ArbiterGrant is one grant.
type ArbiterGrant struct {
	ArbiterIIN string    `json:"arbiter_iin"`
	PartyID    uuid.UUID `json:"party_id"`
	Reason     string    `json:"reason"`
	GrantedBy  string    `json:"granted_by"`
	GrantedAt  time.Time `json:"granted_at"`
}

var iinPattern = regexp.MustCompile(`^[0-9]{12}$`)

// grantArbiter answers POST /api/v1/arbiter-grants: an operator
// administrator, with a purpose (recorded in the staff-access log), grants
// an arbiter the case of one party.
func (s *Server) grantArbiter(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Grants == nil {
		writeError(w, r, http.StatusServiceUnavailable, "grants_unavailable", "this server records no arbiter grants")
		return
	}
	var body struct {
		ArbiterIIN string    `json:"arbiter_iin"`
		PartyID    uuid.UUID `json:"party_id"`
		Reason     string    `json:"reason"`
	}
	if !s.decode(w, r, &body) || !s.authorize(w, r, policy.ArbiterGrant, policy.Resource{Party: body.PartyID}) {
		return
	}
	body.Reason = strings.TrimSpace(body.Reason)
	switch {
	case !iinPattern.MatchString(body.ArbiterIIN):
		writeError(w, r, http.StatusBadRequest, "invalid_iin", "arbiter_iin is 12 digits")
		return
	case body.PartyID == uuid.Nil:
		writeError(w, r, http.StatusBadRequest, "invalid_id", "party_id is required")
		return
	case body.Reason == "" || len(body.Reason) > 500:
		writeError(w, r, http.StatusBadRequest, "invalid_reason", "reason is 1 to 500 characters")
		return
	}
	g := ArbiterGrant{ArbiterIIN: body.ArbiterIIN, PartyID: body.PartyID, Reason: body.Reason,
		GrantedBy: policy.From(r.Context()).Actor(), GrantedAt: s.cfg.Clock.Now().UTC()}
	if err := s.cfg.Grants.Grant(r.Context(), g); err != nil {
		s.writeErr(w, r, "arbiter grant", err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}
