// Package parties is the parties read model: each party with its
// requisites, registration stages, org units, users (their roles, powers of
// attorney and compromise cut-offs) and the certificates bound to them.
package parties

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"docledger/domain/event"
	"docledger/domain/party"
	"docledger/eventstore"
	"docledger/projections"
	"docledger/query"
)

// Name is the read model's name and schema.
const Name = "parties"

// Projection builds the parties model from party events.
type Projection struct {
	registry *event.Registry
}

// New returns the projection; registry decodes party events.
func New(registry *event.Registry) *Projection { return &Projection{registry: registry} }

// Name is "parties".
func (p *Projection) Name() string { return Name }

// EventTypes are the events the model applies.
func (p *Projection) EventTypes() []string { return []string{"party."} }

// Tables are the model's tables.
func (p *Projection) Tables() []string {
	return []string{"parties", "org_units", "users", "certificates"}
}

// Apply applies the party events one by one.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	t := func(name string) string { return projections.Table(schema, name) }
	for _, e := range events {
		if !strings.HasPrefix(e.Type, "party.") {
			continue
		}
		payload, err := p.registry.Decode(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
		if err := apply(ctx, tx, t, e, payload); err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
	}
	return nil
}

func apply(ctx context.Context, tx pgx.Tx, t func(string) string, e eventstore.Record, payload event.Payload) error {
	exec := func(sql string, args ...any) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%d rows changed, want 1 (an event for a party never registered?)", tag.RowsAffected())
		}
		return nil
	}
	touch := func(id uuid.UUID) error {
		return exec(`UPDATE `+t("parties")+` SET position = $2 WHERE party_id = $1`, id, e.Position)
	}
	switch ev := payload.(type) {
	case party.Registered:
		return exec(`INSERT INTO `+t("parties")+` (party_id, kind, identity_number, resident, names, contacts, profile, stages, registered_at, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			ev.PartyID, string(ev.Kind), ev.IdentityNumber, ev.Resident, ev.Names, ev.Contacts, ev.Profile.String(), []string{ev.Stage}, ev.RegisteredAt, e.Position)
	case party.RegistrationStageCompleted:
		return exec(`UPDATE `+t("parties")+` SET stages = array_append(stages, $2),
				identity_number = CASE WHEN $3 = '' THEN identity_number ELSE $3 END, position = $4
			WHERE party_id = $1`, ev.PartyID, ev.Stage, ev.IdentityNumber, e.Position)
	case party.RequisitesChanged:
		return exec(`UPDATE `+t("parties")+` SET names = coalesce($2, names), contacts = coalesce($3, contacts),
				resident = coalesce($4, resident), position = $5 WHERE party_id = $1`,
			ev.PartyID, jsonOrNil(ev.Names), jsonOrNil(ev.Contacts), ev.Resident, e.Position)
	case party.OrgUnitOpened:
		if err := exec(`INSERT INTO `+t("org_units")+` (party_id, unit_id, kind, name, bin, address, opened_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.PartyID, ev.UnitID, string(ev.Kind), ev.Name, ev.BIN, ev.Address, ev.OpenedAt); err != nil {
			return err
		}
		return touch(ev.PartyID)
	case party.UserAdded:
		if err := exec(`INSERT INTO `+t("users")+` (party_id, user_iin, name, role, org_unit, power_of_attorney, added_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (party_id, user_iin) DO UPDATE SET name = excluded.name, role = excluded.role, org_unit = excluded.org_unit,
				power_of_attorney = excluded.power_of_attorney, added_at = excluded.added_at, removed_at = NULL`,
			ev.PartyID, ev.UserIIN, ev.Name, string(ev.Role), ev.OrgUnit, jsonOrNil(ev.PowerOfAttorney), ev.AddedAt); err != nil {
			return err
		}
		return touch(ev.PartyID)
	case party.UserRemoved:
		if err := exec(`UPDATE `+t("users")+` SET removed_at = $3 WHERE party_id = $1 AND user_iin = $2`, ev.PartyID, ev.UserIIN, ev.RemovedAt); err != nil {
			return err
		}
		return touch(ev.PartyID)
	case party.CertificateBound:
		if err := exec(`INSERT INTO `+t("certificates")+` (party_id, issuer, serial, user_iin, key_usage, not_before, not_after, bound_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ev.PartyID, ev.Issuer, ev.Serial, ev.UserIIN, ev.KeyUsage, ev.NotBefore, ev.NotAfter, ev.BoundAt); err != nil {
			return err
		}
		return touch(ev.PartyID)
	case party.CompromiseReported:
		// The party itself (an individual) has no user row: only users get a cut-off here.
		if _, err := tx.Exec(ctx, `UPDATE `+t("users")+` SET compromised_at = least(coalesce(compromised_at, $3), $3)
			WHERE party_id = $1 AND user_iin = $2`, ev.PartyID, ev.UserIIN, ev.ReportedAt); err != nil {
			return err
		}
		return touch(ev.PartyID)
	case party.TerminationNotified:
		return exec(`UPDATE `+t("parties")+` SET termination_notified_at = $2, termination_effective_at = $3, position = $4
			WHERE party_id = $1`, ev.PartyID, ev.NotifiedAt, ev.EffectiveAt, e.Position)
	}
	return nil
}

// jsonOrNil encodes v as JSON, or returns nil (SQL NULL) for a nil pointer.
func jsonOrNil[T any](v *T) []byte {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

// Party is the read model's Party (package query).
type Party = query.Party

// OrgUnit is the read model's OrgUnit (package query).
type OrgUnit = query.OrgUnit

// User is PartyUser (package query).
type User = query.PartyUser

// Certificate is the read model's Certificate (package query).
type Certificate = query.Certificate

// ErrNotFound is returned for a party the model does not know (yet).
var ErrNotFound = query.ErrPartyNotFound

// Querier runs queries (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Get returns party id with its org units, users and certificates.
func Get(ctx context.Context, db Querier, id uuid.UUID) (Party, error) {
	var p Party
	err := db.QueryRow(ctx, `SELECT party_id, kind, identity_number, resident, names, contacts, profile, stages,
			registered_at, termination_notified_at, termination_effective_at, position
		FROM parties.parties WHERE party_id = $1`, id).Scan(&p.PartyID, &p.Kind, &p.IdentityNumber, &p.Resident, &p.Names, &p.Contacts,
		&p.Profile, &p.Stages, &p.RegisteredAt, &p.TerminationNotifiedAt, &p.TerminationEffectiveAt, &p.Position)
	if errors.Is(err, pgx.ErrNoRows) {
		return Party{}, ErrNotFound
	}
	if err != nil {
		return Party{}, fmt.Errorf("party %s: %w", id, err)
	}
	p.RegisteredAt = p.RegisteredAt.UTC()
	if p.OrgUnits, err = projections.Collect(ctx, db, `SELECT unit_id, kind, name, bin, address, opened_at FROM parties.org_units
		WHERE party_id = $1 ORDER BY opened_at, unit_id`, id, func(r pgx.CollectableRow) (OrgUnit, error) {
		var u OrgUnit
		err := r.Scan(&u.UnitID, &u.Kind, &u.Name, &u.BIN, &u.Address, &u.OpenedAt)
		u.OpenedAt = u.OpenedAt.UTC()
		return u, err
	}); err != nil {
		return Party{}, err
	}
	if p.Users, err = projections.Collect(ctx, db, `SELECT user_iin, name, role, org_unit, power_of_attorney, added_at, removed_at, compromised_at
		FROM parties.users WHERE party_id = $1 ORDER BY added_at, user_iin`, id, func(r pgx.CollectableRow) (User, error) {
		var u User
		err := r.Scan(&u.IIN, &u.Name, &u.Role, &u.OrgUnit, &u.PowerOfAttorney, &u.AddedAt, &u.RemovedAt, &u.CompromisedAt)
		u.AddedAt = u.AddedAt.UTC()
		return u, err
	}); err != nil {
		return Party{}, err
	}
	if p.Certificates, err = projections.Collect(ctx, db, `SELECT user_iin, serial, issuer, key_usage, not_before, not_after, bound_at
		FROM parties.certificates WHERE party_id = $1 ORDER BY bound_at, serial`, id, func(r pgx.CollectableRow) (Certificate, error) {
		var c Certificate
		err := r.Scan(&c.UserIIN, &c.Serial, &c.Issuer, &c.KeyUsage, &c.NotBefore, &c.NotAfter, &c.BoundAt)
		c.NotBefore, c.NotAfter, c.BoundAt = c.NotBefore.UTC(), c.NotAfter.UTC(), c.BoundAt.UTC()
		return c, err
	}); err != nil {
		return Party{}, err
	}
	return p, nil
}
