package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/domain"
)

var (
	t0      = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
	partyA  = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	partyB  = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	docAB   = uuid.MustParse("00000000-0000-0000-0000-0000000000ab") // A to B, not delivered
	docABd  = uuid.MustParse("00000000-0000-0000-0000-0000000000ad") // A to B, delivered
	head    = "900101300001"
	emp     = "900101300002"
	signer  = "900101300003"
	admin   = "900101300004"
	removed = "900101300005"
	other   = "900101300009"
)

type facts struct{}

func (facts) Member(_ context.Context, party uuid.UUID, iin string) (policy.Membership, error) {
	poa := func(scope string) *policy.PowerOfAttorney {
		return &policy.PowerOfAttorney{Scope: []string{scope}, ValidFrom: t0.Add(-time.Hour), ValidUntil: t0.Add(time.Hour)}
	}
	if party == partyA {
		switch iin {
		case head:
			return policy.Membership{Role: "first_head"}, nil
		case emp:
			return policy.Membership{Role: "employee", PowerOfAttorney: poa("accept_offer")}, nil
		case signer:
			return policy.Membership{Role: "employee", PowerOfAttorney: poa("sign_documents")}, nil
		case admin:
			return policy.Membership{Role: "administrator"}, nil
		case removed:
			return policy.Membership{Role: "first_head", Removed: true}, nil
		}
	}
	if party == partyB && iin == other {
		return policy.Membership{Self: true}, nil
	}
	return policy.Membership{}, policy.ErrNotMember
}

func (facts) Resolve(_ context.Context, ref string) (uuid.UUID, error) {
	switch strings.TrimPrefix(strings.TrimPrefix(ref, "BIN"), "IIN") {
	case "990140000123", partyA.String():
		return partyA, nil
	case other, partyB.String():
		return partyB, nil
	}
	return uuid.Nil, policy.ErrNotMember
}

func (facts) Parties(_ context.Context, id uuid.UUID) (policy.DocumentParties, error) {
	switch id {
	case docAB:
		return policy.DocumentParties{Sender: "BIN990140000123", Recipient: "IIN" + other}, nil
	case docABd:
		return policy.DocumentParties{Sender: "BIN990140000123", Recipient: "IIN" + other, Delivered: true}, nil
	}
	return policy.DocumentParties{}, policy.ErrNotFound
}

func (facts) Granted(_ context.Context, iin string, party uuid.UUID) (bool, error) {
	return iin == "arb" && party == partyA, nil
}

type accessLog struct{ n int }

func (l *accessLog) RecordStaffAccess(context.Context, policy.StaffAccess) error { l.n++; return nil }

func TestDecide(t *testing.T) {
	user := func(iin string) policy.Principal { return policy.Principal{Kind: policy.User, IIN: iin} }
	token := func(party uuid.UUID, s ...policy.Scope) policy.Principal {
		return policy.Principal{Kind: policy.Token, PartyID: party, Scopes: s, Credential: "tok"}
	}
	staff := func(r policy.StaffRole) policy.Principal {
		return policy.Principal{Kind: policy.Staff, Staff: r, IIN: "arb"}
	}
	onA := policy.Resource{Party: partyA}
	onAWhy := policy.Resource{Party: partyA, Purpose: "ticket 7"}
	for _, c := range []struct {
		name   string
		p      policy.Principal
		action policy.Action
		res    policy.Resource
		want   error
		logged bool
	}{
		{"anyone: public", policy.Principal{}, policy.Public, policy.Resource{}, nil, false},
		{"anonymous: 401", policy.Principal{Kind: policy.Anonymous}, policy.PartyRead, onA, policy.ErrUnauthenticated, false},
		{"head reads its party", user(head), policy.PartyRead, onA, nil, false},
		{"employee reads its party", user(emp), policy.PartyRead, onA, nil, false},
		{"removed user: not found", user(removed), policy.PartyRead, onA, policy.ErrNotFound, false},
		{"another party's user: not found", user(other), policy.PartyRead, onA, policy.ErrNotFound, false},
		{"head manages users", user(head), policy.PartyManageUsers, onA, nil, false},
		{"administrator manages users", user(admin), policy.PartyManageUsers, onA, nil, false},
		{"employee may not manage users", user(emp), policy.PartyManageUsers, onA, policy.ErrForbidden, false},
		{"employee with a power of attorney accepts", user(emp), policy.PartyAccept, onA, nil, false},
		{"administrator without one does not", user(admin), policy.PartyAccept, onA, policy.ErrForbidden, false},
		{"self accepts for itself", user(other), policy.PartyAccept, policy.Resource{Party: partyB}, nil, false},
		{"a user registers a party", user(other), policy.PartyRegister, policy.Resource{}, nil, false},
		{"head registers a document of its party", user(head), policy.DocumentRegister, policy.Resource{PartyRef: "BIN990140000123"}, nil, false},
		{"signer registers one", user(signer), policy.DocumentRegister, policy.Resource{PartyRef: partyA.String()}, nil, false},
		{"employee without the right does not", user(emp), policy.DocumentRegister, policy.Resource{PartyRef: "BIN990140000123"}, policy.ErrForbidden, false},
		{"nobody registers for another party", user(other), policy.DocumentRegister, policy.Resource{PartyRef: "BIN990140000123"}, policy.ErrForbidden, false},
		{"sender reads its document", user(emp), policy.DocumentRead, policy.Resource{Document: docAB}, nil, false},
		{"recipient does not before delivery", user(other), policy.DocumentRead, policy.Resource{Document: docAB}, policy.ErrNotFound, false},
		{"recipient reads it once delivered", user(other), policy.DocumentRead, policy.Resource{Document: docABd}, nil, false},
		{"recipient delivers", user(other), policy.DocumentDeliver, policy.Resource{Document: docAB}, nil, false},
		{"sender does not deliver", user(head), policy.DocumentDeliver, policy.Resource{Document: docAB}, policy.ErrNotFound, false},
		{"signer sends", user(signer), policy.DocumentSend, policy.Resource{Document: docAB}, nil, false},
		{"employee without the right does not send", user(emp), policy.DocumentSend, policy.Resource{Document: docAB}, policy.ErrForbidden, false},
		{"a user lists its inbox", user(emp), policy.DocumentList, policy.Resource{PartyRef: "BIN990140000123"}, nil, false},
		{"not another's", user(other), policy.DocumentList, policy.Resource{PartyRef: "BIN990140000123"}, policy.ErrNotFound, false},
		{"not an unknown party's", user(other), policy.DocumentList, policy.Resource{PartyRef: "BIN000000000000"}, policy.ErrNotFound, false},
		{"token reads its party", token(partyA, policy.ScopeRead), policy.PartyRead, onA, nil, false},
		{"token without read scope", token(partyA, policy.ScopeBilling), policy.PartyRead, onA, policy.ErrForbidden, false},
		{"another party's token", token(partyB, policy.ScopeRead), policy.PartyRead, onA, policy.ErrNotFound, false},
		{"token sends with its scope", token(partyA, policy.ScopeSendDocuments), policy.DocumentSend, policy.Resource{Document: docAB}, nil, false},
		{"read token does not send", token(partyA, policy.ScopeRead), policy.DocumentSend, policy.Resource{Document: docAB}, policy.ErrForbidden, false},
		{"token does not accept offers", token(partyA, policy.ScopeRead, policy.ScopeSendDocuments), policy.PartyAccept, onA, policy.ErrForbidden, false},
		{"support reads with a purpose, logged", staff(policy.Support), policy.PartyRead, onAWhy, nil, true},
		{"support without a purpose", staff(policy.Support), policy.PartyRead, onA, policy.ErrPurposeRequired, false},
		{"support changes nothing", staff(policy.Support), policy.PartyManage, onAWhy, policy.ErrForbidden, false},
		{"auditor reads", staff(policy.Auditor), policy.DocumentRead, policy.Resource{Document: docAB, Purpose: "audit"}, nil, true},
		{"auditor changes nothing", staff(policy.Auditor), policy.DocumentSend, policy.Resource{Document: docAB, Purpose: "audit"}, policy.ErrForbidden, false},
		{"administrator acts with a purpose, logged", staff(policy.Administrator), policy.PartyManageUsers, onAWhy, nil, true},
		{"administrator without a purpose", staff(policy.Administrator), policy.PartyManageUsers, onA, policy.ErrPurposeRequired, false},
		{"arbiter reads the granted case", staff(policy.Arbiter), policy.PartyRead, onAWhy, nil, true},
		{"arbiter reads the case's documents", staff(policy.Arbiter), policy.DocumentRead, policy.Resource{Document: docAB, Purpose: "case"}, nil, true},
		{"arbiter not another", staff(policy.Arbiter), policy.PartyRead, policy.Resource{Party: partyB, Purpose: "case"}, policy.ErrForbidden, false},
		{"offers: administrators publish", staff(policy.Administrator), policy.OfferPublish, policy.Resource{}, nil, false},
		{"offers: clients do not", user(head), policy.OfferPublish, policy.Resource{}, policy.ErrForbidden, false},
		{"offers: support does not", staff(policy.Support), policy.OfferPublish, policy.Resource{}, policy.ErrForbidden, false},
		{"grants: administrators, logged", staff(policy.Administrator), policy.ArbiterGrant, onAWhy, nil, true},
		{"grants: not without a purpose", staff(policy.Administrator), policy.ArbiterGrant, onA, policy.ErrPurposeRequired, false},
		{"grants: not an auditor", staff(policy.Auditor), policy.ArbiterGrant, onAWhy, policy.ErrForbidden, false},
		{"grants: not a client", user(head), policy.ArbiterGrant, onAWhy, policy.ErrForbidden, false},
		{"terms: staff with a purpose", staff(policy.Billing), policy.TermsRead, policy.Resource{Purpose: "renewals"}, nil, true},
		{"terms: not a client", user(head), policy.TermsRead, policy.Resource{Purpose: "x"}, policy.ErrForbidden, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			log := &accessLog{}
			pol, err := policy.New(facts{}, facts{}, facts{}, log, domain.NewManualClock(t0))
			if err != nil {
				t.Fatal(err)
			}
			if err := pol.Decide(context.Background(), c.p, c.action, c.res); !errors.Is(err, c.want) && err != c.want {
				t.Fatalf("Decide: %v, want %v", err, c.want)
			}
			if (log.n == 1) != c.logged {
				t.Errorf("staff accesses recorded: %d, want logged=%v", log.n, c.logged)
			}
		})
	}
}
