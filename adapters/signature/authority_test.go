package signature_test

import (
	"testing"
	"time"

	"docledger/adapters/signature"
)

func TestAuthorize(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const bin, other = "123456789012", "210987654321"
	person := signature.Identity{IIN: "900101300123", Usage: signature.UsageSign, Roles: []signature.Role{signature.RoleIndividual}}
	employee := func(roles ...signature.Role) signature.Identity {
		return signature.Identity{IIN: "850505400456", BIN: bin, Usage: signature.UsageSign,
			Roles: append([]signature.Role{signature.RoleOrganisation, signature.RoleEmployee}, roles...)}
	}
	entity := signature.Party{Kind: signature.PartyLegalEntity, BIN: bin}
	poa := &signature.PowerOfAttorney{Number: "PoA-1", PrincipalBIN: bin, AgentIIN: "850505400456",
		ValidFrom: at.Add(-24 * time.Hour), ValidUntil: at.Add(24 * time.Hour)}
	finPoA := *poa
	finPoA.Financial = true
	expiredPoA := *poa
	expiredPoA.ValidUntil = at.Add(-time.Hour)
	otherPoA := *poa
	otherPoA.PrincipalBIN = other
	authCert := person
	authCert.Usage = signature.UsageAuth
	financial := signature.DocumentClass{Financial: true}
	plain := signature.DocumentClass{}

	cases := []struct {
		name   string
		signer signature.Identity
		party  signature.Party
		doc    signature.DocumentClass
		poa    *signature.PowerOfAttorney
		want   signature.Code
	}{
		{"individual, own IIN", person, signature.Party{Kind: signature.PartyIndividual, IIN: "900101300123"}, plain, nil, ""},
		{"IE, own IIN", person, signature.Party{Kind: signature.PartyEntrepreneur, IIN: "900101300123"}, financial, nil, ""},
		{"individual, other IIN", person, signature.Party{Kind: signature.PartyIndividual, IIN: "900101300999"}, plain, nil, signature.CodeIINMismatch},
		{"individual cert for a legal entity", person, entity, plain, nil, signature.CodeBINMismatch},
		{"AUTH certificate", authCert, signature.Party{Kind: signature.PartyIndividual, IIN: "900101300123"}, plain, nil, signature.CodeAuthKeyUsedToSign},
		{"first head", employee(signature.RoleFirstHead), entity, financial, nil, ""},
		{"first head of another BIN", employee(signature.RoleFirstHead), signature.Party{Kind: signature.PartyLegalEntity, BIN: other}, plain, nil, signature.CodeBINMismatch},
		{"may sign, plain document", employee(signature.RoleMaySign), entity, plain, nil, ""},
		{"may sign, financial document", employee(signature.RoleMaySign), entity, financial, nil, signature.CodeRoleNotAllowed},
		{"may sign financial, financial document", employee(signature.RoleMaySignFinancial), entity, financial, nil, ""},
		{"HR only", employee(signature.RoleHR), entity, plain, nil, signature.CodeRoleNotAllowed},
		{"employee, no role", employee(), entity, plain, nil, signature.CodeRoleNotAllowed},
		{"employee with power of attorney", employee(), entity, plain, poa, ""},
		{"power of attorney not covering financial", employee(), entity, financial, poa, signature.CodeRoleNotAllowed},
		{"financial power of attorney", employee(), entity, financial, &finPoA, ""},
		{"expired power of attorney", employee(), entity, plain, &expiredPoA, signature.CodeRoleNotAllowed},
		{"power of attorney of another entity", employee(), entity, plain, &otherPoA, signature.CodeRoleNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := signature.Authorize(c.signer, c.party, c.doc, c.poa, at)
			if got := signature.CodeOf(err); got != c.want {
				t.Fatalf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}
