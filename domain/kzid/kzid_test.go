package kzid_test

import (
	"errors"
	"testing"
	"time"

	"docledger/domain/kzid"
)

// The expected check digits below were computed by hand (and cross-checked
// with an independent script), not by this package.
func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		number string
		want   kzid.ID
		err    error
	}{
		{"IIN male 1990", "900101300126", kzid.ID{Number: "900101300126", Kind: kzid.KindIIN, BirthDate: date(1990, 1, 1), Sex: kzid.SexMale}, nil},
		{"IIN female 1985", "850715400016", kzid.ID{Number: "850715400016", Kind: kzid.KindIIN, BirthDate: date(1985, 7, 15), Sex: kzid.SexFemale}, nil},
		{"IIN male 2000 (leap day)", "000229512349", kzid.ID{Number: "000229512349", Kind: kzid.KindIIN, BirthDate: date(2000, 2, 29), Sex: kzid.SexMale}, nil},
		{"IIN female 2005", "051202600128", kzid.ID{Number: "051202600128", Kind: kzid.KindIIN, BirthDate: date(2005, 12, 2), Sex: kzid.SexFemale}, nil},
		// 88031540010: weights 1..11 leave 10, weights 3..11,1,2 leave 4.
		{"IIN needing the second weights", "880315400104", kzid.ID{Number: "880315400104", Kind: kzid.KindIIN, BirthDate: date(1988, 3, 15), Sex: kzid.SexFemale}, nil},
		{"IIN prefix with no possible check digit", "880315400130", kzid.ID{}, kzid.ErrCheckDigit},
		{"BIN resident head office", "990140000126", kzid.ID{Number: "990140000126", Kind: kzid.KindBIN, RegisteredYY: 99, RegisteredMM: 1, EntityType: kzid.EntityResident, Division: kzid.DivisionHead}, nil},
		{"BIN wrong check digit", "990140000123", kzid.ID{}, kzid.ErrCheckDigit},
		{"IIN wrong check digit", "900101300123", kzid.ID{}, kzid.ErrCheckDigit},
		{"too short", "90010130012", kzid.ID{}, kzid.ErrMalformed},
		{"letters", "90010130012X", kzid.ID{}, kzid.ErrMalformed},
		{"spaces are not stripped", " 900101300126", kzid.ID{}, kzid.ErrMalformed},
		{"non-ASCII digits", "９00101300126", kzid.ID{}, kzid.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kzid.Parse(tt.number)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.number, err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.number, got, tt.want)
			}
			if kzid.Valid(tt.number) != (tt.err == nil) {
				t.Fatalf("Valid(%q) disagrees with Parse", tt.number)
			}
		})
	}
}

func TestParseDecodingErrors(t *testing.T) {
	// Each number has a correct check digit; what it encodes is wrong.
	tests := []struct {
		first11 string
		err     error
	}{
		{"90023030012", kzid.ErrBirthDate}, // 30 February
		{"90130130012", kzid.ErrBirthDate}, // month 13
		{"90010170012", kzid.ErrCentury},   // century digit 7
		{"90010100012", kzid.ErrCentury},   // century digit 0
		{"99014700012", kzid.ErrEntityType},
		{"99004000012", kzid.ErrEntityType}, // BIN month 00
	}
	for _, tt := range tests {
		d, ok := kzid.CheckDigit(tt.first11)
		if !ok {
			t.Fatalf("%s: no check digit; pick another test number", tt.first11)
		}
		n := tt.first11 + string(rune('0'+d))
		if _, err := kzid.Parse(n); !errors.Is(err, tt.err) {
			t.Errorf("Parse(%s) error = %v, want %v", n, err, tt.err)
		}
	}
}

func TestCheckDigitKnownValues(t *testing.T) {
	for first11, want := range map[string]int{
		"90010130012": 6, "85071540001": 6, "99014000012": 6, "19094000123": 5,
		"87121245678": 0, "95021065432": 4, "88031540010": 4, "88031540011": 6,
	} {
		if got, ok := kzid.CheckDigit(first11); !ok || got != want {
			t.Errorf("CheckDigit(%s) = %d, %v; want %d", first11, got, ok, want)
		}
	}
	if _, ok := kzid.CheckDigit("88031540013"); ok {
		t.Error("CheckDigit(88031540013) found a digit although both remainders are 10")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"900101300126", "990140000126", "880315400104", "", "000000000000", "12345678901x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := kzid.Parse(s)
		if err != nil {
			if id != (kzid.ID{}) {
				t.Fatalf("Parse(%q) returned %+v with error %v", s, id, err)
			}
			return
		}
		if id.Number != s || len(s) != 12 {
			t.Fatalf("Parse(%q) = %+v", s, id)
		}
		d, ok := kzid.CheckDigit(s[:11])
		if !ok || int(s[11]-'0') != d {
			t.Fatalf("Parse(%q) accepted a wrong check digit", s)
		}
		switch id.Kind {
		case kzid.KindIIN:
			if id.BirthDate.IsZero() || id.Sex == "" || id.BirthDate.Format("060102") != s[:6] {
				t.Fatalf("Parse(%q) decoded %+v", s, id)
			}
		case kzid.KindBIN:
			if id.EntityType == "" || id.Division == "" {
				t.Fatalf("Parse(%q) decoded %+v", s, id)
			}
		default:
			t.Fatalf("Parse(%q) kind %q", s, id.Kind)
		}
	})
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
