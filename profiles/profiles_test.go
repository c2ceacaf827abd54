package profiles_test

import (
	"testing"

	"docledger/domain/profile"
	"docledger/profiles"
)

func TestEveryProfileLoads(t *testing.T) {
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"atameken.v1", "centerpro.v1", "idocs.v1", "ismet.v1", "kezekte.v1"}
	refs := c.Refs()
	if len(refs) != len(want) {
		t.Fatalf("profiles = %v, want %v", refs, want)
	}
	for i, r := range refs {
		if r.String() != want[i] {
			t.Fatalf("profiles = %v, want %v", refs, want)
		}
	}
	for _, r := range refs {
		p, err := c.Get(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Choices) == 0 {
			t.Errorf("%s records no choices", r)
		}
	}
	if _, err := c.Get(profile.Ref{ID: "idocs"}); err != nil {
		t.Errorf("latest idocs: %v", err)
	}
}
