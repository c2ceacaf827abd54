package party

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/kzid"
	"docledger/domain/profile"
)

// Registration is what registering a party needs.
type Registration struct {
	Kind Kind
	// IdentityNumber is the IIN or BIN; it is given only at the stage that
	// binds the subject.
	IdentityNumber string
	Resident       bool
	Names          Names
	Contacts       Contacts
	Proofs         []Proof
}

// Register enters the party at the first registration stage of profile
// prof, at now, with the proofs that stage requires.
func (p *Party) Register(r Registration, prof *profile.Profile, now time.Time) error {
	if p.registered {
		return ErrAlreadyRegistered
	}
	r.Names.Full, r.Names.Short = strings.TrimSpace(r.Names.Full), strings.TrimSpace(r.Names.Short)
	switch {
	case p.id == uuid.Nil:
		return domain.ErrValidation.Withf("party_id is required")
	case !validKind(r.Kind):
		return ErrUnknownKind.Withf("%q", r.Kind)
	case r.Names.Full == "":
		return domain.ErrValidation.Withf("names.full is required")
	}
	if len(prof.Registration.Stages) == 0 {
		return ErrProfileMismatch.Withf("profile %s has no registration stages", prof.Ref())
	}
	stage := prof.Registration.Stages[0]
	if err := checkProofs(stage, r.Proofs, r.Contacts); err != nil {
		return err
	}
	if err := checkIdentity(stage, r.Kind, r.IdentityNumber); err != nil {
		return err
	}
	p.record(Registered{
		PartyID: p.id, Kind: r.Kind, IdentityNumber: r.IdentityNumber, Resident: r.Resident, Names: r.Names,
		Contacts: r.Contacts, Profile: prof.Ref(), Stage: stage.Name, Proofs: r.Proofs, RegisteredAt: now,
	})
	return nil
}

// CompleteStage completes the next registration stage of the party's
// profile. identityNumber is the IIN or BIN when the stage binds the
// subject, else empty.
func (p *Party) CompleteStage(stageName, identityNumber string, proofs []Proof, prof *profile.Profile, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("party under %s, profile %s", p.profile, prof.Ref())
	}
	stage, i, ok := prof.Stage(stageName)
	if !ok || i != len(p.stages) {
		return ErrStageOrder.Withf("%q after %v", stageName, p.stages)
	}
	if err := checkProofs(stage, proofs, p.contacts); err != nil {
		return err
	}
	if err := checkIdentity(stage, p.kind, identityNumber); err != nil {
		return err
	}
	p.record(RegistrationStageCompleted{PartyID: p.id, Stage: stage.Name, IdentityNumber: identityNumber, Proofs: proofs, CompletedAt: now})
	return nil
}

func checkProofs(stage profile.Stage, proofs []Proof, c Contacts) error {
	have := map[string]bool{}
	for _, pr := range proofs {
		switch {
		case pr.At.IsZero():
			return domain.ErrValidation.Withf("proof %s has no time", pr.Kind)
		case len(pr.Evidence) > 0 && !json.Valid(pr.Evidence):
			return domain.ErrValidation.Withf("proof %s: evidence is not JSON", pr.Kind)
		case pr.Kind == profile.ProofEDS && len(pr.Evidence) == 0:
			return ErrProofMissing.Withf("an eds_signature proof needs its signature evidence (clause %s)", stage.Clause)
		}
		have[pr.Kind] = true
	}
	for _, req := range stage.Requires {
		if !have[req] {
			return ErrProofMissing.Withf("%s at stage %s (clause %s)", req, stage.Name, stage.Clause)
		}
	}
	if have[profile.ProofPhone] && strings.TrimSpace(c.Phone) == "" {
		return domain.ErrValidation.Withf("a confirmed phone needs contacts.phone")
	}
	if have[profile.ProofEmail] && strings.TrimSpace(c.Email) == "" {
		return domain.ErrValidation.Withf("a confirmed e-mail needs contacts.email")
	}
	return nil
}

func checkIdentity(stage profile.Stage, k Kind, number string) error {
	if !stage.BindsSubject {
		if number != "" {
			return domain.ErrValidation.Withf("the IIN or BIN is bound at a later stage than %s", stage.Name)
		}
		return nil
	}
	id, err := kzid.Parse(number)
	if err != nil {
		return err
	}
	switch {
	case k == KindLegalEntity && id.Kind != kzid.KindBIN,
		(k == KindIndividual || k == KindSelfEmployed) && id.Kind != kzid.KindIIN,
		k == KindEntrepreneur && id.Kind == kzid.KindBIN && id.EntityType != kzid.EntityJointIE:
		return ErrIdentityKind.Withf("%s %s for a %s", id.Kind, number, k)
	}
	return nil
}
