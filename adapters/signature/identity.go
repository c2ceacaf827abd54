package signature

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"strings"
)

// Role is an NCA RK role carried by a certificate, as its dotted OID.
type Role string

// The NCA RK roles. NCA puts them in the certificate's extended key usage;
// the verifier also reads them from the certificate policies (see
// docs/signatures.md).
const (
	RoleIndividual         Role = "1.2.398.3.3.4.1.1"
	RoleOrganisation       Role = "1.2.398.3.3.4.1.2"
	RoleFirstHead          Role = "1.2.398.3.3.4.1.2.1"
	RoleMaySign            Role = "1.2.398.3.3.4.1.2.2"
	RoleMaySignFinancial   Role = "1.2.398.3.3.4.1.2.3"
	RoleHR                 Role = "1.2.398.3.3.4.1.2.4"
	RoleEmployee           Role = "1.2.398.3.3.4.1.2.5"
	ncaRolePrefix               = "1.2.398.3.3.4.1."
	ncaRolePrefixTopLevels      = "1.2.398.3.3.4.1"
)

// Usage is what a certificate's key may be used for.
type Usage string

// The usages the verifier distinguishes. A SIGN certificate (key usage
// nonRepudiation/contentCommitment) signs documents; an AUTH certificate
// (digitalSignature without nonRepudiation, typically with keyAgreement or
// keyEncipherment and the clientAuth extended key usage) only logs in.
const (
	UsageSign    Usage = "sign"
	UsageAuth    Usage = "auth"
	UsageUnknown Usage = "unknown"
)

// Identity is who a certificate names, as NCA RK encodes it.
type Identity struct {
	// IIN is the 12-digit individual identification number from the subject
	// SERIALNUMBER ("IIN123456789012").
	IIN string `json:"iin,omitempty"`
	// BIN is the 12-digit business identification number from the subject OU
	// ("BIN123456789012"); empty for individuals.
	BIN          string `json:"bin,omitempty"`
	CommonName   string `json:"common_name,omitempty"`
	Surname      string `json:"surname,omitempty"`
	GivenName    string `json:"given_name,omitempty"`
	Organization string `json:"organization,omitempty"`
	Email        string `json:"email,omitempty"`
	// Roles are the NCA role OIDs found on the certificate, sorted.
	Roles []Role `json:"roles,omitempty"`
	// Usage says whether the certificate may sign documents or only log in.
	Usage Usage `json:"usage"`
	// SerialNumber is the certificate serial in hexadecimal.
	SerialNumber string `json:"certificate_serial"`
	Issuer       string `json:"issuer"`
}

// HasRole reports whether the identity carries role r.
func (id Identity) HasRole(r Role) bool { return slices.Contains(id.Roles, r) }

var (
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// IdentityOf reads the NCA identity fields of cert.
func IdentityOf(cert *x509.Certificate) Identity {
	id := Identity{
		CommonName:   cert.Subject.CommonName,
		SerialNumber: cert.SerialNumber.Text(16),
		Issuer:       cert.Issuer.String(),
		Usage:        usageOf(cert),
	}
	if s, ok := strings.CutPrefix(cert.Subject.SerialNumber, "IIN"); ok && digits12(s) {
		id.IIN = s
	}
	for _, ou := range cert.Subject.OrganizationalUnit {
		if s, ok := strings.CutPrefix(ou, "BIN"); ok && digits12(s) {
			id.BIN = s
		}
	}
	if len(cert.Subject.Organization) > 0 {
		id.Organization = cert.Subject.Organization[0]
	}
	for _, n := range cert.Subject.Names {
		v, _ := n.Value.(string)
		switch {
		case n.Type.Equal(oidSurname):
			id.Surname = v
		case n.Type.Equal(oidGivenName):
			id.GivenName = v
		case n.Type.Equal(oidEmailAddress):
			id.Email = v
		}
	}
	if id.Email == "" && len(cert.EmailAddresses) > 0 {
		id.Email = cert.EmailAddresses[0]
	}
	seen := map[Role]bool{}
	add := func(o asn1.ObjectIdentifier) {
		s := o.String()
		if strings.HasPrefix(s, ncaRolePrefix) || s == ncaRolePrefixTopLevels {
			if !seen[Role(s)] {
				seen[Role(s)] = true
				id.Roles = append(id.Roles, Role(s))
			}
		}
	}
	for _, o := range cert.UnknownExtKeyUsage {
		add(o)
	}
	for _, o := range cert.PolicyIdentifiers {
		add(o)
	}
	slices.Sort(id.Roles)
	return id
}

func usageOf(cert *x509.Certificate) Usage {
	switch {
	case cert.KeyUsage&x509.KeyUsageContentCommitment != 0:
		return UsageSign
	case cert.KeyUsage&x509.KeyUsageDigitalSignature != 0:
		return UsageAuth
	}
	return UsageUnknown
}

func digits12(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
