// Package acceptances is the acceptances read model: the acceptance proof
// of each party — its registration stages with their proofs, and each
// acceptance with the offer version's text hashes, the trigger and its
// clause, the time, who acted with what authority, the consents, the
// signature evidence, and the event that recorded it — and, from the same
// rows and the offer versions, which offer version and profile were in
// force for a party at a time (accepted, or an amendment its silence
// accepted under the version's profile).
package acceptances

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
	"docledger/projections"
	"docledger/query"
)

// Name is the read model's name and schema.
const Name = "acceptances"

// Profiles returns a policy profile by reference (*profile.Catalog).
type Profiles interface {
	Get(ref profile.Ref) (*profile.Profile, error)
}

// Projection builds the model from offer and party events.
type Projection struct {
	registry *event.Registry
	profiles Profiles
}

// New returns the projection; registry decodes the events, profiles gives
// each offer version's amendment rule (what silence means).
func New(registry *event.Registry, profiles Profiles) *Projection {
	return &Projection{registry: registry, profiles: profiles}
}

// Name is "acceptances".
func (p *Projection) Name() string { return Name }

// EventTypes are the events the model applies.
func (p *Projection) EventTypes() []string { return []string{"party.", "offer."} }

// Tables are the model's tables.
func (p *Projection) Tables() []string {
	return []string{"offer_versions", "registrations", "acceptances", "tariff_acceptances", "objections", "terminations"}
}

// Apply applies the events one by one.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	t := func(name string) string { return projections.Table(schema, name) }
	for _, e := range events {
		if !strings.HasPrefix(e.Type, "party.") && !strings.HasPrefix(e.Type, "offer.") {
			continue
		}
		payload, err := p.registry.Decode(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
		if err := p.apply(ctx, tx, t, e, payload); err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
	}
	return nil
}

func (p *Projection) apply(ctx context.Context, tx pgx.Tx, t func(string) string, e eventstore.Record, payload event.Payload) error {
	exec := func(sql string, args ...any) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("%d rows changed, want 1", tag.RowsAffected())
		}
		return err
	}
	switch ev := payload.(type) {
	case offer.VersionPublished:
		prof, err := p.profiles.Get(ev.Profile)
		if err != nil {
			return err
		}
		return exec(`INSERT INTO `+t("offer_versions")+` (offer_id, version, profile, texts, prevailing, published_at, effective_at,
				silence_means, amendment_clause) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, ev.OfferID, ev.Version, ev.Profile.String(), ev.Texts,
			ev.Prevailing, ev.PublishedAt, ev.EffectiveAt, prof.Amendments.SilenceMeans, prof.Amendments.Clause)
	case offer.VersionWithdrawn:
		return exec(`UPDATE `+t("offer_versions")+` SET withdrawn_at = $3 WHERE offer_id = $1 AND version = $2`, ev.OfferID, ev.Version, ev.WithdrawnAt)
	case offer.AmendmentNoticeSent:
		n, _ := json.Marshal([]Notice{{Channel: ev.Channel, Recipients: ev.Recipients, SentAt: ev.SentAt}})
		return exec(`UPDATE `+t("offer_versions")+` SET notices = notices || $3::jsonb WHERE offer_id = $1 AND version = $2`, ev.OfferID, ev.Version, n)
	case party.TariffAccepted:
		return exec(`INSERT INTO `+t("tariff_acceptances")+` (party_id, application_id, service, tariff, offer_id, offer_version, clause, by_iin,
				accepted_at, actor, event_id, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			ev.PartyID, ev.ApplicationID, ev.Service, ev.Tariff, ev.OfferID, ev.OfferVersion, ev.Clause, ev.ByIIN, ev.AcceptedAt, e.Actor, e.ID, e.Position)
	case party.AmendmentObjected:
		return exec(`INSERT INTO `+t("objections")+` (party_id, offer_id, offer_version, by_iin, clause, window_ends, objected_at, actor, event_id, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			ev.PartyID, ev.OfferID, ev.OfferVersion, ev.ByIIN, ev.Clause, ev.WindowEnds, ev.ObjectedAt, e.Actor, e.ID, e.Position)
	case party.Registered:
		return exec(`INSERT INTO `+t("registrations")+` (party_id, stage, profile, identity_number, proofs, completed_at, actor, event_id, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, ev.PartyID, ev.Stage, ev.Profile.String(), ev.IdentityNumber, proofsJSON(ev.Proofs),
			ev.RegisteredAt, e.Actor, e.ID, e.Position)
	case party.RegistrationStageCompleted:
		return exec(`INSERT INTO `+t("registrations")+` (party_id, stage, profile, identity_number, proofs, completed_at, actor, event_id, position)
			SELECT $1, $2, profile, $3, $4, $5, $6, $7, $8 FROM `+t("registrations")+` WHERE party_id = $1 ORDER BY position LIMIT 1`,
			ev.PartyID, ev.Stage, ev.IdentityNumber, proofsJSON(ev.Proofs), ev.CompletedAt, e.Actor, e.ID, e.Position)
	case party.OfferAccepted:
		var sig []byte
		if len(ev.Signature) > 0 {
			sig = ev.Signature
		}
		return exec(`INSERT INTO `+t("acceptances")+` (party_id, offer_id, offer_version, profile, trigger, clause, by_iin, authority,
				consents, signature, accepted_at, actor, command_id, event_id, data_sha256, position, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			ev.PartyID, ev.OfferID, ev.OfferVersion, ev.Profile.String(), ev.Trigger, ev.Clause, ev.ByIIN, ev.Authority,
			consentsJSON(ev.Consents), sig, ev.AcceptedAt, e.Actor, e.CommandID, e.ID, hex.EncodeToString(e.DataSHA256[:]), e.Position, e.RecordedAt)
	case party.TerminationNotified:
		return exec(`INSERT INTO `+t("terminations")+` (party_id, by_whom, reason, notified_at, effective_at) VALUES ($1, $2, $3, $4, $5)`,
			ev.PartyID, ev.By, ev.Reason, ev.NotifiedAt, ev.EffectiveAt)
	}
	return nil
}

func proofsJSON(ps []party.Proof) []byte {
	if ps == nil {
		ps = []party.Proof{}
	}
	b, _ := json.Marshal(ps)
	return b
}

func consentsJSON(cs []party.Consent) []byte {
	if cs == nil {
		cs = []party.Consent{}
	}
	b, _ := json.Marshal(cs)
	return b
}

// Stage is the read model's Stage (package query).
type Stage = query.Stage

// Acceptance is the read model's Acceptance (package query).
type Acceptance = query.Acceptance

// TariffAcceptance is the read model's TariffAcceptance (package query).
type TariffAcceptance = query.TariffAcceptance

// Objection is the read model's Objection (package query).
type Objection = query.Objection

// Termination is the read model's Termination (package query).
type Termination = query.Termination

// Proof is AcceptanceProof (package query).
type Proof = query.AcceptanceProof

// ErrNotFound is returned for a party the model does not know (yet).
var ErrNotFound = query.ErrPartyNotFound

// Querier runs queries (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const acceptanceColumns = `a.offer_id, a.offer_version, a.profile, coalesce(v.texts, '[]'), coalesce(v.prevailing, ''),
	coalesce(v.effective_at, 'epoch'), v.withdrawn_at, a.trigger, a.clause, a.accepted_at, a.by_iin, a.authority, a.consents,
	a.signature, a.actor, a.command_id, a.event_id, a.data_sha256, a.position, a.recorded_at`

func scanAcceptance(r pgx.Rows) (Acceptance, error) {
	var a Acceptance
	var sig []byte
	err := r.Scan(&a.OfferID, &a.OfferVersion, &a.Profile, &a.Texts, &a.Prevailing, &a.EffectiveAt, &a.WithdrawnAt, &a.Trigger,
		&a.Clause, &a.AcceptedAt, &a.ByIIN, &a.Authority, &a.Consents, &sig, &a.Actor, &a.CommandID, &a.EventID, &a.DataSHA256,
		&a.Position, &a.RecordedAt)
	if len(sig) > 0 {
		a.Signature = sig
	}
	a.EffectiveAt, a.AcceptedAt, a.RecordedAt = a.EffectiveAt.UTC(), a.AcceptedAt.UTC(), a.RecordedAt.UTC()
	return a, err
}

// GetProof returns the acceptance proof of party id: its registration
// stages and its acceptances in the order they happened.
func GetProof(ctx context.Context, db Querier, id uuid.UUID) (Proof, error) {
	p := Proof{PartyID: id, Registration: []Stage{}, Acceptances: []Acceptance{}, Tariffs: []TariffAcceptance{}, Objections: []Objection{}}
	rows, err := db.Query(ctx, `SELECT stage, profile, identity_number, proofs, completed_at, actor, event_id, position
		FROM acceptances.registrations WHERE party_id = $1 ORDER BY position`, id)
	if err != nil {
		return p, fmt.Errorf("registration of %s: %w", id, err)
	}
	for rows.Next() {
		var s Stage
		if err := rows.Scan(&s.Stage, &s.Profile, &s.IdentityNumber, &s.Proofs, &s.CompletedAt, &s.Actor, &s.EventID, &s.Position); err != nil {
			rows.Close()
			return p, err
		}
		s.CompletedAt = s.CompletedAt.UTC()
		p.Registration = append(p.Registration, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	if len(p.Registration) == 0 {
		return p, ErrNotFound
	}
	rows, err = db.Query(ctx, `SELECT `+acceptanceColumns+`
		FROM acceptances.acceptances a
		LEFT JOIN acceptances.offer_versions v ON v.offer_id = a.offer_id AND v.version = a.offer_version
		WHERE a.party_id = $1 ORDER BY a.accepted_at, a.position`, id)
	if err != nil {
		return p, fmt.Errorf("acceptances of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAcceptance(rows)
		if err != nil {
			return p, err
		}
		p.Acceptances = append(p.Acceptances, a)
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows.Close()
	if p.Tariffs, err = projections.Collect(ctx, db, `SELECT application_id, service, tariff, offer_id, offer_version, clause, by_iin, accepted_at, actor, event_id, position
		FROM acceptances.tariff_acceptances WHERE party_id = $1 ORDER BY position`, id, func(r pgx.CollectableRow) (TariffAcceptance, error) {
		var x TariffAcceptance
		err := r.Scan(&x.ApplicationID, &x.Service, &x.Tariff, &x.OfferID, &x.OfferVersion, &x.Clause, &x.ByIIN, &x.AcceptedAt, &x.Actor, &x.EventID, &x.Position)
		x.AcceptedAt = x.AcceptedAt.UTC()
		return x, err
	}); err != nil {
		return p, err
	}
	if p.Objections, err = projections.Collect(ctx, db, `SELECT offer_id, offer_version, by_iin, clause, window_ends, objected_at, actor, event_id, position
		FROM acceptances.objections WHERE party_id = $1 ORDER BY position`, id, func(r pgx.CollectableRow) (Objection, error) {
		var x Objection
		err := r.Scan(&x.OfferID, &x.OfferVersion, &x.ByIIN, &x.Clause, &x.WindowEnds, &x.ObjectedAt, &x.Actor, &x.EventID, &x.Position)
		x.WindowEnds, x.ObjectedAt = x.WindowEnds.UTC(), x.ObjectedAt.UTC()
		return x, err
	}); err != nil {
		return p, err
	}
	var term Termination
	err = db.QueryRow(ctx, `SELECT by_whom, reason, notified_at, effective_at FROM acceptances.terminations WHERE party_id = $1`, id).
		Scan(&term.By, &term.Reason, &term.NotifiedAt, &term.EffectiveAt)
	switch {
	case err == nil:
		term.NotifiedAt, term.EffectiveAt = term.NotifiedAt.UTC(), term.EffectiveAt.UTC()
		p.Termination = &term
	case !errors.Is(err, pgx.ErrNoRows):
		return p, err
	}
	return p, nil
}

// InForce is the read model's InForce (package query).
type InForce = query.InForce

// The grounds on which a version applies.
const (
	// BasisAcceptance: the party accepted this version.
	BasisAcceptance = "acceptance"
	// BasisSilence: the party accepted an earlier version and this
	// amended one took effect without an objection from it; the profile
	// says silence means acceptance (amendments.silence_means).
	BasisSilence = "silence_after_amendment"
)

// Applied is the read model's Applied (package query).
type Applied = query.Applied

// At answers which offer version and profile applied to party id at t. For
// each offer it accepted at or before t, it starts from the latest version
// accepted by then (a withdrawn version still binds those who accepted
// it); a later version of the same offer in effect at t, not withdrawn by
// then and not objected to by the party, applies instead when its profile
// says a client's silence accepts an amendment (basis
// silence_after_amendment). A party with no acceptance by t has none; a
// termination in effect by t ends them all.
func At(ctx context.Context, db Querier, id uuid.UUID, t time.Time) (InForce, error) {
	res := InForce{PartyID: id, At: t.UTC(), Offers: []Applied{}}
	var known bool
	var term *time.Time
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT FROM acceptances.registrations WHERE party_id = $1),
			(SELECT effective_at FROM acceptances.terminations WHERE party_id = $1 AND effective_at <= $2)`, id, t).Scan(&known, &term)
	if err != nil {
		return res, fmt.Errorf("party %s: %w", id, err)
	}
	if !known {
		return res, ErrNotFound
	}
	if term != nil {
		u := term.UTC()
		res.TerminatedAt = &u
		return res, nil
	}
	rows, err := db.Query(ctx, `SELECT DISTINCT ON (a.offer_id) `+acceptanceColumns+`
		FROM acceptances.acceptances a
		LEFT JOIN acceptances.offer_versions v ON v.offer_id = a.offer_id AND v.version = a.offer_version
		WHERE a.party_id = $1 AND a.accepted_at <= $2
		ORDER BY a.offer_id, a.offer_version DESC, a.accepted_at DESC`, id, t)
	if err != nil {
		return res, fmt.Errorf("offers of %s at %s: %w", id, t, err)
	}
	var accepted []Acceptance
	for rows.Next() {
		a, err := scanAcceptance(rows)
		if err != nil {
			rows.Close()
			return res, err
		}
		accepted = append(accepted, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, a := range accepted {
		ap := Applied{OfferID: a.OfferID, OfferVersion: a.OfferVersion, Profile: a.Profile, Texts: a.Texts, EffectiveAt: a.EffectiveAt,
			Basis: BasisAcceptance, Acceptance: a}
		var later Applied
		err := db.QueryRow(ctx, `SELECT v.version, v.profile, v.texts, v.effective_at, v.amendment_clause
			FROM acceptances.offer_versions v
			WHERE v.offer_id = $1 AND v.version > $2 AND v.effective_at <= $3 AND (v.withdrawn_at IS NULL OR v.withdrawn_at > $3)
				AND v.silence_means = 'accepted'
				AND NOT EXISTS (SELECT FROM acceptances.objections o WHERE o.party_id = $4 AND o.offer_id = v.offer_id AND o.offer_version = v.version)
			ORDER BY v.version DESC LIMIT 1`, a.OfferID, a.OfferVersion, t, id).
			Scan(&later.OfferVersion, &later.Profile, &later.Texts, &later.EffectiveAt, &later.Clause)
		switch {
		case err == nil:
			ap.OfferVersion, ap.Profile, ap.Texts, ap.EffectiveAt, ap.Clause, ap.Basis = later.OfferVersion, later.Profile, later.Texts, later.EffectiveAt.UTC(), later.Clause, BasisSilence
		case !errors.Is(err, pgx.ErrNoRows):
			return res, fmt.Errorf("amendments of %s: %w", a.OfferID, err)
		}
		res.Offers = append(res.Offers, ap)
	}
	return res, nil
}

// Version is OfferVersion (package query).
type Version = query.OfferVersion

// Notice is AmendmentNotice (package query).
type Notice = query.AmendmentNotice

// ErrOfferNotFound is returned for an offer the model does not know (yet).
var ErrOfferNotFound = query.ErrOfferNotFound

// OfferVersions lists the versions of offer id in order.
func OfferVersions(ctx context.Context, db Querier, id string) ([]Version, error) {
	rows, err := db.Query(ctx, `SELECT offer_id, version, profile, texts, prevailing, published_at, effective_at, withdrawn_at, notices
		FROM acceptances.offer_versions WHERE offer_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("offer %s: %w", id, err)
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.OfferID, &v.Version, &v.Profile, &v.Texts, &v.Prevailing, &v.PublishedAt, &v.EffectiveAt, &v.WithdrawnAt, &v.Notices); err != nil {
			return nil, err
		}
		v.PublishedAt, v.EffectiveAt = v.PublishedAt.UTC(), v.EffectiveAt.UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrOfferNotFound
	}
	return out, nil
}
