package identity

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"docledger/domain/event"
	"docledger/domain/party"
	"docledger/eventstore"
	"docledger/projections"
)

// CompromisesName is the compromises read model's name and schema.
const CompromisesName = "compromises"

// Compromises is the read model of EDS-key compromise reports
// (party.compromise_reported): per user IIN and certificate serial, when it
// was reported. The Authenticator refuses every session of a reported
// certificate (opened before the report or, if one slips in, after), and
// login refuses the certificate from then on; a report without a serial
// revokes the user's sessions opened at or before the report.
type Compromises struct {
	registry *event.Registry
}

// NewCompromises returns the projection; registry decodes party events.
func NewCompromises(registry *event.Registry) *Compromises { return &Compromises{registry: registry} }

// Name is "compromises".
func (c *Compromises) Name() string { return CompromisesName }

// EventTypes are the events the model applies.
func (c *Compromises) EventTypes() []string { return []string{party.TypeCompromiseReported} }

// Tables are the model's tables.
func (c *Compromises) Tables() []string { return []string{"reports"} }

// Apply records the EDS-key compromise reports.
func (c *Compromises) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	for _, e := range events {
		if !strings.HasPrefix(e.Type, party.TypeCompromiseReported) {
			continue
		}
		payload, err := c.registry.Decode(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return &projections.EventError{Projection: CompromisesName, Position: e.Position, Type: e.Type, Err: err}
		}
		ev, ok := payload.(party.CompromiseReported)
		if !ok || ev.Credential != party.CredentialEDSKey {
			continue
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+projections.Table(schema, "reports")+` (party_id, user_iin, certificate_serial, reported_at, position)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, ev.PartyID, ev.UserIIN, strings.ToLower(ev.CertificateSerial), ev.ReportedAt, e.Position)
		if err != nil {
			return &projections.EventError{Projection: CompromisesName, Position: e.Position, Type: e.Type, Err: err}
		}
	}
	return nil
}
