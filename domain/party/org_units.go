package party

import (
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/kzid"
)

// OrgUnitKind is a head office or a branch.
type OrgUnitKind string

// The kinds of org unit.
const (
	UnitHeadOffice OrgUnitKind = "head_office"
	UnitBranch     OrgUnitKind = "branch"
)

// OrgUnit is what opening an org unit needs.
type OrgUnit struct {
	ID      string
	Kind    OrgUnitKind
	Name    string
	BIN     string
	Address string
}

// OpenOrgUnit opens a head office or branch of a legal entity at now.
func (p *Party) OpenOrgUnit(u OrgUnit, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if p.kind != KindLegalEntity {
		return ErrNotLegalEntity
	}
	u.ID, u.Name = strings.TrimSpace(u.ID), strings.TrimSpace(u.Name)
	switch {
	case u.ID == "" || u.Name == "":
		return domain.ErrValidation.Withf("unit id and name are required")
	case u.Kind != UnitHeadOffice && u.Kind != UnitBranch:
		return domain.ErrValidation.Withf("unit kind %q", u.Kind)
	}
	if _, ok := p.units[u.ID]; ok {
		return ErrOrgUnitExists.Withf("%s", u.ID)
	}
	if u.Kind == UnitHeadOffice {
		for _, x := range p.units {
			if x.Kind == UnitHeadOffice {
				return ErrOrgUnitExists.Withf("a head office already exists: %s", x.UnitID)
			}
		}
	}
	if u.BIN != "" {
		id, err := kzid.Parse(u.BIN)
		if err != nil {
			return err
		}
		if id.Kind != kzid.KindBIN || (u.Kind == UnitBranch) != (id.Division == kzid.DivisionBranch || id.Division == kzid.DivisionRepresentative) {
			return ErrIdentityKind.Withf("BIN %s (%s) for a %s", u.BIN, id.Division, u.Kind)
		}
	}
	p.record(OrgUnitOpened{PartyID: p.id, UnitID: u.ID, Kind: u.Kind, Name: u.Name, BIN: u.BIN, Address: u.Address, OpenedAt: now})
	return nil
}
