package party

import (
	"slices"
	"strings"
	"time"

	"docledger/domain"
)

// Certificates lists the certificates bound to iin.
func (p *Party) Certificates(iin string) []CertificateBound {
	var out []CertificateBound
	for _, c := range p.certs {
		if c.UserIIN == iin {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b CertificateBound) int { return a.BoundAt.Compare(b.BoundAt) })
	return out
}

// Certificate is what binding a certificate needs.
type Certificate struct {
	UserIIN   string
	Serial    string
	Issuer    string
	KeyUsage  []string // "auth", "sign"
	NotBefore time.Time
	NotAfter  time.Time
}

// BindCertificate binds an EDS certificate, valid now, to a user at now.
func (p *Party) BindCertificate(c Certificate, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	u, ok := p.users[c.UserIIN]
	if (!ok || !u.removedAt.IsZero()) && !(c.UserIIN == p.identity && p.kind != KindLegalEntity) {
		return ErrUserUnknown.Withf("%s", c.UserIIN)
	}
	c.Serial, c.Issuer = strings.TrimSpace(c.Serial), strings.TrimSpace(c.Issuer)
	switch {
	case c.Serial == "" || c.Issuer == "":
		return domain.ErrValidation.Withf("serial and issuer are required")
	case len(c.KeyUsage) == 0:
		return domain.ErrValidation.Withf("key usage is required")
	case !c.NotAfter.After(c.NotBefore):
		return domain.ErrValidation.Withf("not_after must be after not_before")
	case now.Before(c.NotBefore) || !now.Before(c.NotAfter):
		return ErrCertificateExpired.Withf("%s valid %s to %s", c.Serial, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339))
	}
	for _, k := range c.KeyUsage {
		if k != "auth" && k != "sign" {
			return domain.ErrValidation.Withf("key usage %q: auth or sign", k)
		}
	}
	if p.reports[reportKey(c.UserIIN, CredentialEDSKey, c.Serial)] {
		return ErrCredentialCompromised.Withf("certificate %s was reported compromised", c.Serial)
	}
	if _, dup := p.certs[c.Issuer+"|"+c.Serial]; dup {
		return ErrCertificateExists.Withf("%s", c.Serial)
	}
	p.record(CertificateBound{PartyID: p.id, UserIIN: c.UserIIN, Serial: c.Serial, Issuer: c.Issuer, KeyUsage: slices.Clone(c.KeyUsage), NotBefore: c.NotBefore, NotAfter: c.NotAfter, BoundAt: now})
	return nil
}
