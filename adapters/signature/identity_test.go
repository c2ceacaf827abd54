package signature_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"reflect"
	"testing"

	"docledger/adapters/signature"
)

func TestIdentityOf(t *testing.T) {
	c := &x509.Certificate{
		SerialNumber: big.NewInt(0xabc),
		Subject: pkix.Name{
			CommonName: "ПЕТРОВА АННА", SerialNumber: "IIN850505400456",
			OrganizationalUnit: []string{"BIN123456789012"}, Organization: []string{"ТОО \"РОМАШКА\""},
			Names: []pkix.AttributeTypeAndValue{
				{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: "ПЕТРОВА"},
				{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: "АННА"},
				{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "anna@romashka.kz"},
			},
		},
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 2, 398, 3, 3, 4, 1, 2}, {1, 2, 398, 3, 3, 4, 1, 2, 5}},
		PolicyIdentifiers:  []asn1.ObjectIdentifier{{1, 2, 398, 3, 3, 2, 2}, {1, 2, 398, 3, 3, 4, 1, 2, 2}, {1, 2, 398, 3, 3, 4, 1, 2, 5}},
	}
	id := signature.IdentityOf(c)
	want := signature.Identity{
		IIN: "850505400456", BIN: "123456789012", CommonName: "ПЕТРОВА АННА", Surname: "ПЕТРОВА", GivenName: "АННА",
		Organization: "ТОО \"РОМАШКА\"", Email: "anna@romashka.kz",
		Roles: []signature.Role{signature.RoleOrganisation, signature.RoleMaySign, signature.RoleEmployee},
		Usage: signature.UsageAuth, SerialNumber: "abc", Issuer: "",
	}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("got  %+v\nwant %+v", id, want)
	}
	c.Subject.SerialNumber = "IIN12345" // not 12 digits
	c.Subject.OrganizationalUnit = []string{"BINABCDEFGHIJKL"}
	c.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	id = signature.IdentityOf(c)
	if id.IIN != "" || id.BIN != "" || id.Usage != signature.UsageSign {
		t.Fatalf("malformed identifiers accepted: %+v", id)
	}
}
