package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
)

// PartyDeps are what the party and offer commands need.
type PartyDeps struct {
	Store    eventstore.Writer
	Registry *event.Registry
	Clock    domain.Clock
	Cache    *StreamCache
	Retry    RetryPolicy
	// Profiles is the catalog of policy profiles (profiles.Catalog()).
	Profiles *profile.Catalog
	// Calendar is the Kazakhstan calendar deadlines are computed on.
	Calendar *calendar.Calendar
	// Signatures verifies the EDS signatures commands carry; nil refuses
	// every command that carries one (ErrSignatureUnavailable).
	Signatures SignatureVerifier
}

// partyEnv is what the party handlers share.
type partyEnv struct {
	parties  *Repository[*party.Party]
	offers   *Repository[offerStream]
	profiles *profile.Catalog
	calendar *calendar.Calendar
	clock    domain.Clock
	sigs     SignatureVerifier
}

// updateRegistered updates a registered party, giving change the policy
// profile the party runs under; an unregistered party is refused.
func (e *partyEnv) updateRegistered(ctx context.Context, meta Meta, id string, change func(p *party.Party, prof *profile.Profile, now time.Time) error) (Result, error) {
	return e.parties.Update(ctx, meta, id, func(p *party.Party, now time.Time) error {
		if !p.Registered() {
			return party.ErrNotRegistered
		}
		prof, err := e.profiles.Get(p.Profile())
		if err != nil {
			return err
		}
		return change(p, prof, now)
	})
}

func newPartyEnv(d PartyDeps) (*partyEnv, error) {
	if d.Profiles == nil || d.Calendar == nil {
		return nil, errors.New("party commands: nil profile catalog or calendar")
	}
	parties, err := NewRepository(RepositoryConfig[*party.Party]{
		Store: d.Store, Registry: d.Registry, Clock: d.Clock, Cache: d.Cache, Retry: d.Retry,
		New: func(id string) *party.Party {
			u, _ := uuid.Parse(id) // commands carry uuid.UUID; an unparsable id cannot arrive
			return party.New(u)
		},
	})
	if err != nil {
		return nil, err
	}
	offers, err := NewRepository(RepositoryConfig[offerStream]{
		Store: d.Store, Registry: d.Registry, Clock: d.Clock, Cache: d.Cache, Retry: d.Retry,
		New: func(id string) offerStream { return offerStream{offer.New(id)} },
	})
	if err != nil {
		return nil, err
	}
	return &partyEnv{parties: parties, offers: offers, profiles: d.Profiles, calendar: d.Calendar, clock: d.Clock, sigs: d.Signatures}, nil
}

// RegisterPartyHandlers registers the party and offer commands' handlers on bus.
func RegisterPartyHandlers(bus Registrar, d PartyDeps) error {
	e, err := newPartyEnv(d)
	if err != nil {
		return err
	}
	reg, err := NewRegisterPartyHandler(e)
	if err != nil {
		return err
	}
	stage, err := NewCompleteRegistrationStageHandler(e)
	if err != nil {
		return err
	}
	accept, err := NewAcceptOfferHandler(e)
	if err != nil {
		return err
	}
	user, err := NewAddPartyUserHandler(e)
	if err != nil {
		return err
	}
	unit, err := NewOpenOrgUnitHandler(e)
	if err != nil {
		return err
	}
	cert, err := NewBindCertificateHandler(e)
	if err != nil {
		return err
	}
	publish, err := NewPublishOfferVersionHandler(e)
	if err != nil {
		return err
	}
	withdraw, err := NewWithdrawOfferVersionHandler(e)
	if err != nil {
		return err
	}
	remove, err := NewRemovePartyUserHandler(e)
	if err != nil {
		return err
	}
	compromise, err := NewReportCompromiseHandler(e)
	if err != nil {
		return err
	}
	terminate, err := NewNotifyTerminationHandler(e)
	if err != nil {
		return err
	}
	tariff, err := NewAcceptTariffHandler(e)
	if err != nil {
		return err
	}
	object, err := NewObjectToAmendmentHandler(e)
	if err != nil {
		return err
	}
	requisites, err := NewChangeRequisitesHandler(e)
	if err != nil {
		return err
	}
	notice, err := NewSendAmendmentNoticeHandler(e)
	if err != nil {
		return err
	}
	return errors.Join(
		Handle(bus, d.Store, reg.Handle),
		Handle(bus, d.Store, remove.Handle),
		Handle(bus, d.Store, compromise.Handle),
		Handle(bus, d.Store, terminate.Handle),
		Handle(bus, d.Store, tariff.Handle),
		Handle(bus, d.Store, object.Handle),
		Handle(bus, d.Store, requisites.Handle),
		Handle(bus, d.Store, notice.Handle),
		Handle(bus, d.Store, stage.Handle),
		Handle(bus, d.Store, accept.Handle),
		Handle(bus, d.Store, user.Handle),
		Handle(bus, d.Store, unit.Handle),
		Handle(bus, d.Store, cert.Handle),
		Handle(bus, d.Store, publish.Handle),
		Handle(bus, d.Store, withdraw.Handle),
	)
}

// offerStream is the offer aggregate as the repository sees it. The offer's
// Version(n) (its n-th version) hides the stream version of domain.Root, so
// *offer.Offer alone is not a domain.Aggregate; this wrapper gives the
// repository the stream version back without changing the domain.
type offerStream struct{ *offer.Offer }

// Version is the offer's stream version.
func (o offerStream) Version() int64 { return o.Root.Version() }

// profileOf reads a profile reference ("kezekte" for the latest version,
// "kezekte.v1") and returns the profile from the catalog.
func (e *partyEnv) profileOf(s string) (*profile.Profile, error) {
	ref, err := profile.ParseRef(s)
	if err != nil {
		return nil, err
	}
	return e.profiles.Get(ref)
}
