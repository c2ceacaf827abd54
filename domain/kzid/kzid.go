// Package kzid validates and decodes Kazakhstan identification numbers: the
// IIN (individual identification number) of a person and the BIN (business
// identification number) of a legal entity, both 12 digits with a check
// digit. It is pure: no I/O, no clock.
//
// Layout (Law "On national registers of identification numbers" and the
// rules of forming IIN/BIN):
//
//	IIN  YYMMDD C NNNN K   C: century and sex (1/2 born 1800s, 3/4 1900s,
//	                           5/6 2000s; odd male, even female)
//	BIN  YYMM T D NNNNN K  T: 4 resident legal entity, 5 non-resident legal
//	                           entity, 6 joint individual entrepreneurship;
//	                       D: 0 head office, 1 branch, 2 representative
//	                           office, 3 peasant (farm) enterprise
//
// The fifth digit tells them apart: an IIN has a day of month there (0..3),
// a BIN its type (4..6).
package kzid

import (
	"time"

	"docledger/domain"
)

// Kind says whether a number is an IIN or a BIN.
type Kind string

// Kinds of identification number.
const (
	KindIIN Kind = "IIN"
	KindBIN Kind = "BIN"
)

// Sex as an IIN encodes it.
type Sex string

// Sexes an IIN encodes.
const (
	SexMale   Sex = "male"
	SexFemale Sex = "female"
)

// EntityType is the type digit of a BIN.
type EntityType string

// Entity types a BIN encodes.
const (
	EntityResident    EntityType = "resident_legal_entity"
	EntityNonResident EntityType = "non_resident_legal_entity"
	EntityJointIE     EntityType = "joint_individual_entrepreneurship"
)

// Division is the division digit of a BIN.
type Division string

// Divisions a BIN encodes.
const (
	DivisionHead           Division = "head_office"
	DivisionBranch         Division = "branch"
	DivisionRepresentative Division = "representative_office"
	DivisionPeasantFarm    Division = "peasant_farm"
)

// Errors Parse returns. All of them match domain.Error by code.
var (
	ErrMalformed  = domain.NewError("kzid_malformed", "an IIN or BIN is exactly 12 digits")
	ErrCheckDigit = domain.NewError("kzid_check_digit", "the check digit of the IIN or BIN is wrong")
	ErrBirthDate  = domain.NewError("kzid_birth_date", "the IIN encodes no valid birth date")
	ErrCentury    = domain.NewError("kzid_century_sex", "the IIN's century and sex digit must be 1..6")
	ErrEntityType = domain.NewError("kzid_entity_type", "the BIN's type or division digit is unknown")
)

// ID is a valid, decoded IIN or BIN.
type ID struct {
	Number string
	Kind   Kind
	// BirthDate and Sex are set for an IIN.
	BirthDate time.Time
	Sex       Sex
	// RegisteredYY and RegisteredMM (the two-digit year and the month of
	// registration, as written: the century is not encoded), EntityType and
	// Division are set for a BIN.
	RegisteredYY, RegisteredMM int
	EntityType                 EntityType
	Division                   Division
}

var (
	weights1 = [11]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	weights2 = [11]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// CheckDigit computes the check digit of the first 11 digits of an IIN or
// BIN: the weighted sum with weights 1..11 modulo 11; when that is 10, the
// sum again with weights 3..11,1,2 modulo 11. ok is false when the second
// remainder is 10 too: no number may be issued with such a prefix.
func CheckDigit(first11 string) (digit int, ok bool) {
	if len(first11) != 11 || !digits(first11) {
		return 0, false
	}
	sum := func(w [11]int) int {
		s := 0
		for i := range 11 {
			s += int(first11[i]-'0') * w[i]
		}
		return s % 11
	}
	d := sum(weights1)
	if d == 10 {
		d = sum(weights2)
	}
	if d == 10 {
		return 0, false
	}
	return d, true
}

// Valid reports whether s is a valid IIN or BIN.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// Parse validates s as an IIN or BIN and decodes what it encodes. s must be
// exactly 12 ASCII digits; no spaces or prefixes are stripped.
func Parse(s string) (ID, error) {
	if len(s) != 12 || !digits(s) {
		return ID{}, ErrMalformed
	}
	d, ok := CheckDigit(s[:11])
	if !ok || int(s[11]-'0') != d {
		return ID{}, ErrCheckDigit
	}
	switch s[4] {
	case '4', '5', '6':
		return parseBIN(s)
	}
	return parseIIN(s)
}

func parseIIN(s string) (ID, error) {
	c := s[6]
	if c < '1' || c > '6' {
		return ID{}, ErrCentury.Withf("digit 7 is %c", c)
	}
	century := 1800 + 100*int((c-'1')/2)
	year := century + num(s[0:2])
	month, day := num(s[2:4]), num(s[4:6])
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || birth.Day() != day || birth.Month() != time.Month(month) {
		return ID{}, ErrBirthDate.Withf("%s", s[:6])
	}
	sex := SexMale
	if (c-'0')%2 == 0 {
		sex = SexFemale
	}
	return ID{Number: s, Kind: KindIIN, BirthDate: birth, Sex: sex}, nil
}

func parseBIN(s string) (ID, error) {
	mm := num(s[2:4])
	if mm < 1 || mm > 12 {
		return ID{}, ErrEntityType.Withf("registration month %s", s[2:4])
	}
	id := ID{Number: s, Kind: KindBIN, RegisteredYY: num(s[0:2]), RegisteredMM: mm}
	switch s[4] {
	case '4':
		id.EntityType = EntityResident
	case '5':
		id.EntityType = EntityNonResident
	case '6':
		id.EntityType = EntityJointIE
	}
	switch s[5] {
	case '0':
		id.Division = DivisionHead
	case '1':
		id.Division = DivisionBranch
	case '2':
		id.Division = DivisionRepresentative
	case '3':
		id.Division = DivisionPeasantFarm
	default:
		return ID{}, ErrEntityType.Withf("division digit %c", s[5])
	}
	return id, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
