package identity

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"docledger/adapters/policy"
	"docledger/domain/kzid"
)

// StaffRoles are the staff roles a configuration may name.
var StaffRoles = []policy.StaffRole{policy.Support, policy.Billing, policy.Enforcement, policy.Arbiter, policy.Auditor, policy.Administrator}

// Staff says which IINs are the operator's staff, and in which role.
type Staff map[string]policy.StaffRole

// Role is iin's staff role, if it has one.
func (s Staff) Role(iin string) (policy.StaffRole, bool) {
	r, ok := s[iin]
	return r, ok
}

// ParseStaff reads a staff configuration: a JSON object mapping IIN to
// role, e.g. {"850505400456": "support", "900101300123": "auditor"}.
func ParseStaff(b []byte) (Staff, error) {
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("staff: want a JSON object of IIN to role: %w", err)
	}
	s := Staff{}
	for iin, role := range raw {
		if _, err := kzid.Parse(iin); err != nil || len(iin) != 12 {
			return nil, fmt.Errorf("staff: %q is not a valid IIN", iin)
		}
		r := policy.StaffRole(role)
		if !slices.Contains(StaffRoles, r) {
			return nil, fmt.Errorf("staff: IIN %s: role %q is not one of %v", iin, role, StaffRoles)
		}
		s[iin] = r
	}
	return s, nil
}

// LoadStaff reads the staff configuration at path (LEDGER_STAFF_FILE); an
// empty path is no staff.
func LoadStaff(path string) (Staff, error) {
	if path == "" {
		return Staff{}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	return ParseStaff(b)
}
