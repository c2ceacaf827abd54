package party

import (
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/kzid"
)

// Credential is what a compromise report is about.
type Credential string

// The credentials a compromise can be reported for.
const (
	CredentialEDSKey   Credential = "eds_key"
	CredentialPassword Credential = "password"
)

// CompromiseCutoff is the earliest compromise reported for iin.
func (p *Party) CompromiseCutoff(iin string) (time.Time, bool) {
	t, ok := p.cutoffs[iin]
	return t, ok
}

// Attributable reports whether an action under iin's credentials at t is
// attributed to the party by default: it is unless the user reported a
// compromise at or before t (Atameken 3.6, ISMET 5.5, Center Pro 7.1.3).
func (p *Party) Attributable(iin string, t time.Time) bool {
	c, ok := p.cutoffs[iin]
	return !ok || t.Before(c)
}

// ReportCompromise records, at now, a user's report that a credential was
// stolen or disclosed; now becomes the cut-off after which actions under
// the user's credentials are not attributed to the party by default.
func (p *Party) ReportCompromise(iin string, cred Credential, certificateSerial, statement string, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if _, err := kzid.Parse(iin); err != nil {
		return err
	}
	if _, ok := p.users[iin]; !ok && iin != p.identity {
		return ErrUserUnknown.Withf("%s", iin)
	}
	if cred != CredentialEDSKey && cred != CredentialPassword {
		return domain.ErrValidation.Withf("credential %q: eds_key or password", cred)
	}
	if cred == CredentialPassword && certificateSerial != "" {
		return domain.ErrValidation.Withf("a password has no certificate serial")
	}
	if p.reports[reportKey(iin, cred, certificateSerial)] {
		return ErrAlreadyReported
	}
	p.record(CompromiseReported{PartyID: p.id, UserIIN: iin, Credential: cred, CertificateSerial: certificateSerial, Statement: strings.TrimSpace(statement), ReportedAt: now})
	return nil
}

func reportKey(iin string, c Credential, serial string) string {
	return iin + "|" + string(c) + "|" + serial
}
