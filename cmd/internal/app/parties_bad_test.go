package app_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

// Bad party and offer requests get a 4xx with a stable code and write
// nothing.
func TestPartyBadInput(t *testing.T) {
	s, pki := edsServer(t)
	kez := offerTexts("kez", "kk", "ru")
	s.publish("kez", "kezekte", kez)
	cp := offerTexts("cp", "kk", "ru")
	s.publish("cp", "centerpro", cp)
	gone := offerTexts("gone", "kk", "ru")
	s.publish("gone", "centerpro", gone)
	if code, body := s.do("POST", "/api/v1/offers/gone/versions/1/withdraw", map[string]any{"reason": "replaced"}, nil); code != 200 {
		t.Fatalf("withdraw: %d %v", code, body)
	}
	idx := offerTexts("idx", "ru")
	s.publish("idx", "idocs", idx)
	future := offerTexts("future", "ru")
	code, body := s.do("POST", "/api/v1/offers/future/versions", map[string]any{"profile": "idocs",
		"texts": []any{map[string]any{"language": "ru", "sha256": sha(future["ru"])}}, "effective_at": s.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, nil)
	if code != 201 {
		t.Fatalf("publish future: %d %v", code, body)
	}
	self := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	other := pki.Issue(t, sigtest.Spec{IIN: iinOther, Key: sigtest.ECDSAP256})
	rogue := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256, Issuer: sigtest.NewRootAt(t, "ROGUE CA", s.clock.Now())})
	revoked := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	pki.SetStatus(revoked.Cert, sigtest.Revoked, revoked.Cert.NotBefore)
	employee := pki.Issue(t, sigtest.Spec{IIN: iinEmployee, BIN: binEntity, Key: sigtest.ECDSAP256, Roles: []string{string(signature.RoleOrganisation), string(signature.RoleEmployee)}})
	signed := func(leaf *sigtest.Leaf, content []byte) []any {
		return []any{edsProof(pki.Sign(t, leaf, content, sigtest.SignOptions{}))}
	}

	// A Center Pro party that accepted "cp", and an idocs legal entity.
	code, body = s.do("POST", "/api/v1/parties", map[string]any{"profile": "centerpro", "kind": "individual", "identity_number": iinSelf,
		"names": map[string]any{"full": "Тест"}, "proofs": signed(self, []byte("registration"))}, nil)
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	party := body["party_id"].(string)
	cpConsents := consents("privacy_policy", "personal_data")
	if code, body := s.do("POST", "/api/v1/parties/"+party+"/acceptances", map[string]any{"offer_id": "cp", "version": 1, "trigger": "first_use",
		"by_iin": iinSelf, "consents": cpConsents}, nil); code != 200 {
		t.Fatalf("accept: %d %v", code, body)
	}
	head := pki.Issue(t, sigtest.Spec{IIN: iinHead, BIN: binEntity, Key: sigtest.ECDSAP256, Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	code, body = s.do("POST", "/api/v1/parties", map[string]any{"profile": "idocs", "kind": "legal_entity", "identity_number": binEntity,
		"names": map[string]any{"full": "ТОО"}, "proofs": signed(head, []byte("registration"))}, nil)
	if code != 201 {
		t.Fatalf("register entity: %d %v", code, body)
	}
	entity := body["party_id"].(string)
	if code, body := s.do("POST", "/api/v1/parties/"+entity+"/users", map[string]any{"iin": iinHead, "name": "Head", "role": "first_head"}, nil); code != 200 {
		t.Fatalf("add head: %d %v", code, body)
	}

	kezekte := func(number string, proofs []any) map[string]any {
		return map[string]any{"profile": "kezekte", "kind": "individual", "identity_number": number, "names": map[string]any{"full": "Тест"}, "proofs": proofs,
			"accept": map[string]any{"offer_id": "kez", "version": 1, "trigger": "eds_signed", "consents": consents("personal_data", "commercial_and_tax_secrets")}}
	}
	accept := func(offerID string, version int, extra map[string]any) map[string]any {
		m := map[string]any{"offer_id": offerID, "version": version, "trigger": "first_use", "by_iin": iinSelf, "consents": cpConsents}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	past := s.clock.Now().Add(-48 * time.Hour).UTC()
	before := s.eventCount()
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"wrong IIN check digit", "POST", "/api/v1/parties", kezekte("900101300123", signed(self, kez["kk"])), 422, "kzid_check_digit"},
		{"wrong BIN check digit", "POST", "/api/v1/parties", map[string]any{"profile": "idocs", "kind": "legal_entity", "identity_number": "990140000123",
			"names": map[string]any{"full": "ТОО"}, "proofs": signed(head, []byte("x"))}, 422, "kzid_check_digit"},
		{"unknown profile", "POST", "/api/v1/parties", map[string]any{"profile": "nosuch", "kind": "individual", "identity_number": iinSelf,
			"names": map[string]any{"full": "Тест"}, "proofs": signed(self, kez["kk"])}, 422, "profile_unknown"},
		{"unknown profile version", "POST", "/api/v1/parties", map[string]any{"profile": "kezekte.v9", "kind": "individual", "identity_number": iinSelf,
			"names": map[string]any{"full": "Тест"}, "proofs": signed(self, kez["kk"])}, 422, "profile_unknown"},
		{"kezekte without an EDS", "POST", "/api/v1/parties", kezekte(iinSelf, []any{map[string]any{"kind": "checkbox"}}), 422, "party_proof_missing"},
		{"EDS evidence supplied by the client", "POST", "/api/v1/parties", kezekte(iinSelf, []any{map[string]any{"kind": "eds_signature",
			"evidence": map[string]any{"verdict": "valid"}}}), 422, "validation_failed"},
		{"signed by someone else", "POST", "/api/v1/parties", kezekte(iinSelf, signed(other, kez["kk"])), 422, "signature_signer_mismatch"},
		{"untrusted certificate", "POST", "/api/v1/parties", kezekte(iinSelf, signed(rogue, kez["kk"])), 422, "signature_certificate_untrusted"},
		{"revoked certificate", "POST", "/api/v1/parties", kezekte(iinSelf, signed(revoked, kez["kk"])), 422, "signature_certificate_revoked"},
		{"garbage signature", "POST", "/api/v1/parties", kezekte(iinSelf, []any{map[string]any{"kind": "eds_signature",
			"signature": map[string]any{"cms": b64([]byte("not a signature"))}}}), 422, "signature_malformed_input"},
		{"signature not base64", "POST", "/api/v1/parties", kezekte(iinSelf, []any{map[string]any{"kind": "eds_signature",
			"signature": map[string]any{"cms": "!!!"}}}), 422, "validation_failed"},
		{"signed something other than the agreement", "POST", "/api/v1/parties", kezekte(iinSelf, signed(self, []byte("other"))), 422, "signature_content_not_offer_text"},
		{"an employee without signing rights registers the entity", "POST", "/api/v1/parties", map[string]any{"profile": "idocs", "kind": "legal_entity",
			"identity_number": binEntity, "names": map[string]any{"full": "ТОО"}, "proofs": signed(employee, []byte("x"))}, 422, "signature_signer_mismatch"},
		{"register the same party twice", "POST", "/api/v1/parties", map[string]any{"party_id": party, "profile": "centerpro", "kind": "individual",
			"identity_number": iinSelf, "names": map[string]any{"full": "Тест"}, "proofs": signed(self, []byte("again"))}, 409, "party_already_registered"},
		{"accept a withdrawn version", "POST", "/api/v1/parties/" + party + "/acceptances", accept("gone", 1, nil), 422, "offer_version_withdrawn"},
		{"accept a version not in effect yet", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "future", "version": 1,
			"trigger": "first_payment", "by_iin": iinHead, "consents": consents("marketing")}, 422, "offer_version_not_effective"},
		{"accept an unknown version", "POST", "/api/v1/parties/" + party + "/acceptances", accept("cp", 9, nil), 422, "offer_version_unknown"},
		{"accept the same version twice", "POST", "/api/v1/parties/" + party + "/acceptances", accept("cp", 1, nil), 409, "party_already_accepted"},
		{"accept another operator's offer", "POST", "/api/v1/parties/" + party + "/acceptances", map[string]any{"offer_id": "kez", "version": 1,
			"trigger": "eds_signed", "by_iin": iinSelf, "consents": consents("personal_data")}, 422, "party_profile_mismatch"},
		{"a trigger the profile does not know", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "idx", "version": 1,
			"trigger": "checkbox", "by_iin": iinHead, "consents": consents("marketing")}, 422, "party_trigger_not_in_profile"},
		{"a required consent missing", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "idx", "version": 1,
			"trigger": "first_payment", "by_iin": iinHead, "consents": consents("privacy_policy")}, 422, "party_consent_missing"},
		{"an acceptance dated before the version took effect", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "idx", "version": 1,
			"trigger": "first_payment", "by_iin": iinHead, "consents": consents("marketing"), "accepted_at": past.Format(time.RFC3339)}, 422, "offer_version_not_effective"},
		{"accepted in the future", "POST", "/api/v1/parties/" + party + "/acceptances", accept("cp", 1, map[string]any{"accepted_at": s.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)}), 422, "validation_failed"},
		{"a person with no authority", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "idx", "version": 1,
			"trigger": "first_payment", "by_iin": iinOther, "consents": consents("marketing")}, 422, "party_no_authority"},
		{"a signature by someone who is not the user named", "POST", "/api/v1/parties/" + entity + "/acceptances", map[string]any{"offer_id": "idx", "version": 1,
			"trigger": "first_payment", "by_iin": iinHead, "consents": consents("marketing"),
			"signature": map[string]any{"cms": b64(pki.Sign(t, employee, idx["ru"], sigtest.SignOptions{}))}}, 422, "signature_signer_mismatch"},
		{"a power of attorney that has expired", "POST", "/api/v1/parties/" + entity + "/users", map[string]any{"iin": iinEmployee, "name": "Clerk", "role": "employee",
			"power_of_attorney": map[string]any{"number": "POA-9", "scope": []string{"accept_offer"}, "valid_from": past.Add(-24 * time.Hour).Format(time.RFC3339),
				"valid_until": past.Format(time.RFC3339)}}, 422, "party_poa_expired"},
		{"an employee without a power of attorney", "POST", "/api/v1/parties/" + entity + "/users", map[string]any{"iin": iinEmployee, "name": "Clerk", "role": "employee"}, 422, "party_poa_required"},
		{"a user with a wrong IIN", "POST", "/api/v1/parties/" + entity + "/users", map[string]any{"iin": "770701300457", "name": "X", "role": "first_head"}, 422, "kzid_check_digit"},
		{"the same user twice", "POST", "/api/v1/parties/" + entity + "/users", map[string]any{"iin": iinHead, "name": "Head", "role": "first_head"}, 409, "party_user_exists"},
		{"an org unit of an individual", "POST", "/api/v1/parties/" + party + "/org-units", map[string]any{"unit_id": "b1", "kind": "branch", "name": "B"}, 422, "party_not_legal_entity"},
		{"an expired certificate", "POST", "/api/v1/parties/" + party + "/certificates", map[string]any{"user_iin": iinSelf, "serial": "01", "issuer": "CN=NCA",
			"key_usage": []string{"sign"}, "not_before": past.Add(-48 * time.Hour).Format(time.RFC3339), "not_after": past.Format(time.RFC3339)}, 422, "party_certificate_expired"},
		{"a requisites change without changed_on", "POST", "/api/v1/parties/" + party + "/requisites", map[string]any{"contacts": map[string]any{"email": "x@test.kz"}}, 422, "validation_failed"},
		{"an unknown party", "POST", "/api/v1/parties/" + uuid.NewString() + "/acceptances", accept("cp", 1, nil), 404, "party_not_found"},
		{"a party id that is not a UUID", "POST", "/api/v1/parties/nope/acceptances", accept("cp", 1, nil), 400, "invalid_id"},
		{"a body party_id that differs from the path", "POST", "/api/v1/parties/" + party + "/acceptances", accept("cp", 1, map[string]any{"party_id": uuid.NewString()}), 400, "invalid_id"},
		{"an unknown field", "POST", "/api/v1/parties/" + party + "/acceptances", accept("cp", 1, map[string]any{"amount": 5}), 400, "unknown_field"},
		{"publish under an unknown profile", "POST", "/api/v1/offers/x/versions", map[string]any{"profile": "nosuch", "texts": []any{},
			"effective_at": s.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 422, "profile_unknown"},
		{"publish without the Kazakh text", "POST", "/api/v1/offers/x/versions", map[string]any{"profile": "kezekte",
			"texts": []any{map[string]any{"language": "ru", "sha256": sha(kez["ru"])}}, "effective_at": s.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 422, "offer_text_missing"},
		{"withdraw twice", "POST", "/api/v1/offers/gone/versions/1/withdraw", map[string]any{"reason": "again"}, 422, "offer_version_withdrawn"},
		{"withdraw a version that does not exist", "POST", "/api/v1/offers/cp/versions/0/withdraw", map[string]any{"reason": "x"}, 400, "invalid_version"},
		{"offer-at without a time", "GET", "/api/v1/parties/" + party + "/offer-at?t=yesterday", nil, 400, "invalid_time"},
		{"terms ending without before", "GET", "/api/v1/parties/terms-ending", nil, 400, "invalid_time"},
		{"an unknown party's proof", "GET", "/api/v1/parties/" + uuid.NewString() + "/acceptance-proof", nil, 404, "party_not_found"},
		{"an unknown party", "GET", "/api/v1/parties/" + uuid.NewString(), nil, 404, "party_not_found"},
		{"an unknown offer", "GET", "/api/v1/offers/nosuch", nil, 404, "offer_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := s.do(c.method, c.path, c.body, nil)
			if code != c.status || errCode(body) != c.code {
				t.Fatalf("got %d %q (%v), want %d %q", code, errCode(body), body, c.status, c.code)
			}
		})
	}
	// With neither OCSP nor CRL answering, the revocation of the key is
	// unknown: refused (the verifier's default policy) as a retryable 503.
	pki.SetOCSPDown(true)
	pki.SetCRLDown(true)
	fresh := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	code, body = s.do("POST", "/api/v1/parties", kezekte(iinSelf, signed(fresh, kez["kk"])), nil)
	if code != 503 || errCode(body) != "signature_revocation_unavailable" {
		t.Fatalf("revocation unavailable: %d %v", code, body)
	}
	if after := s.eventCount(); after != before {
		t.Fatalf("refused requests wrote %d events", after-before)
	}
}

// Without trust anchors, a command that carries a signature is refused
// (503) and writes nothing; one that needs none still works.
func TestSignaturesRefusedWithoutTrustDir(t *testing.T) {
	pki := sigtest.New(t)
	t.Setenv("LEDGER_TRUST_DIR", "")
	s := start(t)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	before := s.eventCount()
	code, body := s.do("POST", "/api/v1/parties", map[string]any{"profile": "kezekte", "kind": "individual", "identity_number": iinSelf,
		"names": map[string]any{"full": "Тест"}, "proofs": []any{edsProof(pki.Sign(t, leaf, []byte("x"), sigtest.SignOptions{}))}}, nil)
	if code != 503 || errCode(body) != "signature_verification_unavailable" || s.eventCount() != before {
		t.Fatalf("got %d %v", code, body)
	}
	code, body = s.do("POST", "/api/v1/parties", map[string]any{"profile": "ismet", "kind": "individual", "names": map[string]any{"full": "Тест"},
		"contacts": map[string]any{"phone": "+77010000000"}, "proofs": []any{map[string]any{"kind": "phone_confirmation"}, map[string]any{"kind": "checkbox"}}}, nil)
	if code != 201 {
		t.Fatalf("ismet pre-registration: %d %v", code, body)
	}
}
