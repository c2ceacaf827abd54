package signature

import "strings"

var roleNames = map[Role]string{
	RoleIndividual:       "individual",
	RoleOrganisation:     "organisation",
	RoleFirstHead:        "first_head",
	RoleMaySign:          "may_sign",
	RoleMaySignFinancial: "may_sign_financial",
	RoleHR:               "hr",
	RoleEmployee:         "employee",
}

// Name returns the role's short name ("first_head"), or its OID when the
// role is not one of the known NCA roles.
func (r Role) Name() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// AlgorithmName names a signature algorithm and digest given as dotted OIDs
// (as the evidence keeps them): "GOST 34.10-2015 (512), GOST 34.11-2015
// (512)", "RSA, SHA-256", "ECDSA, SHA-256". An OID this package does not
// know is given as it is.
func AlgorithmName(signatureOID, digestOID string) string {
	sig := signatureOID
	if o, err := parseOID(signatureOID); err == nil {
		switch s := o.String(); {
		case gostSchemeForSig(o) != nil:
			sig = gostSchemeForSig(o).name
		case strings.HasPrefix(s, "1.2.840.113549.1.1."):
			sig = "RSA"
		case strings.HasPrefix(s, "1.2.840.10045."):
			sig = "ECDSA"
		}
	}
	dig := digestOID
	if o, err := parseOID(digestOID); err == nil {
		if h, err := digestHash(o); err == nil {
			dig = h.String()
		}
	}
	return sig + ", " + dig
}
