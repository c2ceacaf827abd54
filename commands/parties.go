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
	routes, err := partyRoutes(e)
	if err != nil {
		return err
	}
	errs := make([]error, 0, len(routes))
	for _, r := range routes {
		errs = append(errs, r(bus, d.Store))
	}
	return errors.Join(errs...)
}

// route puts the handler of one command type on a bus.
type route func(r Registrar, store eventstore.Writer) error

// handle routes command type C to h. It is where the party and offer
// handlers meet the bus.
func handle[C Command](h Handler[C]) route {
	return func(r Registrar, store eventstore.Writer) error { return Handle(r, store, h) }
}

// updateParty routes command type C to change, one change of the party the
// command names; a command without a party ID is refused.
func updateParty[C Command](e *partyEnv, change func(c *C, p *party.Party, now time.Time) error) route {
	return handle(func(ctx context.Context, meta Meta, c *C) (Result, error) {
		id := (*c).AggregateID()
		if id == uuid.Nil.String() {
			return Result{}, domain.ErrValidation.Withf("party_id is required")
		}
		return e.parties.Update(ctx, meta, id, func(p *party.Party, now time.Time) error { return change(c, p, now) })
	})
}

// updateRegistered routes command type C to change, one change of the
// registered party the command names, under the party's policy profile.
func updateRegistered[C Command](e *partyEnv, change func(c *C, p *party.Party, prof *profile.Profile, now time.Time) error) route {
	return handle(func(ctx context.Context, meta Meta, c *C) (Result, error) {
		id := (*c).AggregateID()
		if id == uuid.Nil.String() {
			return Result{}, domain.ErrValidation.Withf("party_id is required")
		}
		return e.updateRegistered(ctx, meta, id, func(p *party.Party, prof *profile.Profile, now time.Time) error {
			return change(c, p, prof, now)
		})
	})
}

// updateOffer routes command type C to change, one change of the offer the
// command names.
func updateOffer[C Command](e *partyEnv, change func(c *C, o offerStream, now time.Time) error) route {
	return handle(func(ctx context.Context, meta Meta, c *C) (Result, error) {
		return e.offers.Update(ctx, meta, (*c).AggregateID(), func(o offerStream, now time.Time) error { return change(c, o, now) })
	})
}

// partyRoutes is the table of the party and offer commands: each entry is a
// command type (its function's argument) and the change it makes.
// RegisterParty, CompleteRegistrationStage and AcceptOffer verify EDS
// signatures before the party is loaded and have handlers of their own;
// ObjectToAmendment and PublishOfferVersion read the amended version or the
// profile before the aggregate is loaded.
func partyRoutes(e *partyEnv) ([]route, error) {
	register, err := newRegisterPartyHandler(e)
	if err != nil {
		return nil, err
	}
	stage, err := newCompleteRegistrationStageHandler(e)
	if err != nil {
		return nil, err
	}
	accept, err := newAcceptOfferHandler(e)
	if err != nil {
		return nil, err
	}
	return []route{
		handle(register.Handle),
		handle(stage.Handle),
		handle(accept.Handle),
		updateParty(e, func(c *AddPartyUser, p *party.Party, now time.Time) error {
			return p.AddUser(party.User{IIN: c.IIN, Name: c.Name, Role: c.Role, OrgUnit: c.OrgUnit, PowerOfAttorney: c.PowerOfAttorney}, now)
		}),
		updateParty(e, func(c *RemovePartyUser, p *party.Party, now time.Time) error {
			return p.RemoveUser(c.IIN, now)
		}),
		updateParty(e, func(c *OpenOrgUnit, p *party.Party, now time.Time) error {
			return p.OpenOrgUnit(party.OrgUnit{ID: c.UnitID, Kind: c.Kind, Name: c.Name, BIN: c.BIN, Address: c.Address}, now)
		}),
		updateParty(e, func(c *BindCertificate, p *party.Party, now time.Time) error {
			return p.BindCertificate(party.Certificate{UserIIN: c.UserIIN, Serial: c.Serial, Issuer: c.Issuer,
				KeyUsage: c.KeyUsage, NotBefore: c.NotBefore, NotAfter: c.NotAfter}, now)
		}),
		updateParty(e, func(c *ChangeRequisites, p *party.Party, now time.Time) error {
			return p.ChangeRequisites(party.RequisitesChange{Names: c.Names, Contacts: c.Contacts, Resident: c.Resident, ChangedOn: c.ChangedOn}, now)
		}),
		updateParty(e, func(c *ReportCompromise, p *party.Party, now time.Time) error {
			return p.ReportCompromise(c.UserIIN, c.Credential, c.CertificateSerial, c.Statement, now)
		}),
		updateRegistered(e, func(c *NotifyTermination, p *party.Party, prof *profile.Profile, now time.Time) error {
			return p.NotifyTermination(c.By, c.ByIIN, c.Reason, now, profile.NewEngine(prof, e.calendar))
		}),
		updateRegistered(e, func(c *AcceptTariff, p *party.Party, prof *profile.Profile, now time.Time) error {
			at := now
			if c.AcceptedAt != nil {
				if at = c.AcceptedAt.UTC(); at.After(now) {
					return domain.ErrValidation.Withf("accepted_at is in the future")
				}
			}
			return p.AcceptTariff(party.TariffAcceptance{ApplicationID: c.ApplicationID, Service: c.Service, Tariff: c.Tariff,
				OfferID: c.OfferID, OfferVersion: c.OfferVersion, ByIIN: c.ByIIN, At: at}, prof)
		}),
		handle(func(ctx context.Context, meta Meta, c *ObjectToAmendment) (Result, error) {
			if c.PartyID == uuid.Nil {
				return Result{}, domain.ErrValidation.Withf("party_id is required")
			}
			v, prof, err := e.offerVersion(ctx, c.OfferID, c.Version)
			if err != nil {
				return Result{}, err
			}
			eng := profile.NewEngine(prof, e.calendar)
			return e.parties.Update(ctx, meta, c.AggregateID(), func(p *party.Party, now time.Time) error {
				return p.ObjectToAmendment(v, c.ByIIN, now, eng)
			})
		}),
		handle(func(ctx context.Context, meta Meta, c *PublishOfferVersion) (Result, error) {
			prof, err := e.profileOf(c.Profile)
			if err != nil {
				return Result{}, err
			}
			eng := profile.NewEngine(prof, e.calendar)
			return e.offers.Update(ctx, meta, c.AggregateID(), func(o offerStream, now time.Time) error {
				return o.Publish(offer.Publication{Texts: c.Texts, Prevailing: c.Prevailing, EffectiveAt: c.EffectiveAt.UTC()}, eng, now)
			})
		}),
		updateOffer(e, func(c *WithdrawOfferVersion, o offerStream, now time.Time) error {
			return o.Withdraw(c.Version, c.Reason, now)
		}),
		updateOffer(e, func(c *SendAmendmentNotice, o offerStream, now time.Time) error {
			// The notice is recorded under the profile of the version.
			v, ok := o.Offer.Version(c.Version)
			if !ok {
				return offer.ErrVersionUnknown.Withf("%s version %d", c.OfferID, c.Version)
			}
			prof, err := e.profiles.Get(v.Profile)
			if err != nil {
				return err
			}
			return o.SendAmendmentNotice(c.Version, c.Channel, c.Recipients, prof, now)
		}),
	}, nil
}

// offerVersion loads the offer offerID and returns its version n and the
// profile that version runs under.
func (e *partyEnv) offerVersion(ctx context.Context, offerID string, n int) (offer.Version, *profile.Profile, error) {
	o, err := e.offers.Load(ctx, offerID)
	if err != nil {
		return offer.Version{}, nil, err
	}
	v, ok := o.Offer.Version(n)
	if !ok {
		return offer.Version{}, nil, offer.ErrVersionUnknown.Withf("%s version %d", offerID, n)
	}
	prof, err := e.profiles.Get(v.Profile)
	if err != nil {
		return offer.Version{}, nil, err
	}
	return v, prof, nil
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
