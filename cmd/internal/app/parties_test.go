package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
	"docledger/domain"
	"docledger/projections/terms"
)

// Identity numbers with valid check digits.
const (
	iinSelf     = "900101300126"
	iinHead     = "850715400016"
	iinEmployee = "770701300456"
	iinOther    = "930303400562"
	binEntity   = "990140000126"
)

// edsServer starts ledgerd trusting a fresh test PKI.
func edsServer(t *testing.T) (*server, *sigtest.PKI) {
	t.Helper()
	clock := domain.NewManualClock(epoch)
	pki := sigtest.NewAt(t, clock.Now)
	t.Setenv("LEDGER_TRUST_DIR", pki.TrustDir(t))
	return startAt(t, clock), pki
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// offerTexts are the texts of a test offer, by language.
func offerTexts(offerID string, langs ...string) map[string][]byte {
	out := map[string][]byte{}
	for _, l := range langs {
		out[l] = []byte(fmt.Sprintf("%s: the text of the offer in %s", offerID, l))
	}
	return out
}

// publish publishes version 1 of offerID under prof, in effect a moment
// later, and waits until it is in effect.
func (s *server) publish(offerID, prof string, texts map[string][]byte) {
	s.t.Helper()
	var ts []map[string]string
	for l, b := range texts {
		ts = append(ts, map[string]string{"language": l, "sha256": sha(b)})
	}
	effective := s.clock.Now().Add(time.Minute)
	code, body := s.do("POST", "/api/v1/offers/"+offerID+"/versions", map[string]any{
		"profile": prof, "texts": ts, "effective_at": effective.Format(time.RFC3339Nano),
	}, nil)
	if code != 201 || body["offer_id"] != offerID {
		s.t.Fatalf("publish %s: %d %v", offerID, code, body)
	}
	s.clock.Advance(time.Minute + time.Second) // in effect now
}

// eventually GETs path until cond holds on a 200 answer.
func (s *server) eventually(path string, cond func(map[string]any) bool) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := s.do("GET", path, nil, nil)
		if code == 200 && cond(body) {
			return body
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("GET %s never satisfied the test: %d %v", path, code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// caughtUp waits until read model name has applied every event in the log.
func (s *server) caughtUp(name string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var behind bool
		err := s.app.Pool.QueryRow(context.Background(),
			"SELECT (SELECT position FROM "+name+".checkpoint) < (SELECT coalesce(max(position), 0) FROM events)").Scan(&behind)
		if err != nil {
			s.t.Fatal(err)
		}
		if !behind {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("read model %s never caught up", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func hasAcceptance(b map[string]any) bool { return len(list(b["acceptances"])) > 0 }

func edsProof(cms []byte) map[string]any {
	return map[string]any{"kind": "eds_signature", "signature": map[string]any{"cms": b64(cms)}}
}

func consents(kinds ...string) []map[string]any {
	out := []map[string]any{}
	for _, k := range kinds {
		out = append(out, map[string]any{"kind": k, "given": true})
	}
	return out
}

// checkAcceptance checks the one acceptance of a proof against what was
// published and done.
func checkAcceptance(t *testing.T, proof map[string]any, offerID, prof, trigger, clause, byIIN, role string, texts map[string][]byte, nConsents int) map[string]any {
	t.Helper()
	accs := list(proof["acceptances"])
	if len(accs) != 1 {
		t.Fatalf("acceptances: %v", proof)
	}
	a := obj(accs[0])
	if a["offer_id"] != offerID || a["offer_version"] != 1.0 || a["profile"] != prof || a["trigger"] != trigger || a["clause"] != clause {
		t.Fatalf("acceptance: %v", a)
	}
	if byIIN != "" && a["by_iin"] != byIIN {
		t.Fatalf("by_iin = %v, want %s", a["by_iin"], byIIN)
	}
	if obj(a["authority"])["role"] != role {
		t.Fatalf("authority = %v, want %s", a["authority"], role)
	}
	if len(list(a["consents"])) != nConsents {
		t.Fatalf("consents = %v", a["consents"])
	}
	hashes := map[string]bool{}
	for _, x := range list(a["texts"]) {
		hashes[obj(x)["sha256"].(string)] = true
	}
	for l, b := range texts {
		if !hashes[sha(b)] {
			t.Fatalf("the proof lacks the %s text hash: %v", l, a["texts"])
		}
	}
	if _, err := time.Parse(time.RFC3339, a["accepted_at"].(string)); err != nil || a["actor"] == "" || a["event_id"] == "" || len(a["data_sha256"].(string)) != 64 {
		t.Fatalf("acceptance without its time, actor or event: %v", a)
	}
	return a
}

// checkSignature checks signature evidence: valid, signed by iin, over content.
func checkSignature(t *testing.T, ev map[string]any, iin string, content []byte) {
	t.Helper()
	if ev == nil || ev["verdict"] != string(signature.VerdictValid) || ev["content_sha256"] != sha(content) {
		t.Fatalf("signature evidence: %v", ev)
	}
	signer := obj(obj(list(ev["signers"])[0])["signer"])
	if signer["iin"] != iin {
		t.Fatalf("signed by %v, want %s", signer, iin)
	}
}

// Kezekte (3.4.1, signature block, 2.6, 5.2): registration needs a valid
// EDS, and signing at registration accepts the agreement, with the
// personal-data and secrets consents; the term is 3 years.
func TestKezekteRegistersBySigningTheAgreement(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("kezekte-agreement", "kk", "ru")
	s.publish("kezekte-agreement", "kezekte", texts)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, CommonName: "ТЕСТОВ ТЕСТ", Key: sigtest.ECDSAP256, Roles: []string{string(signature.RoleIndividual)}})
	cms := pki.Sign(t, leaf, texts["kk"], sigtest.SignOptions{Timestamp: true})
	req := map[string]any{
		"profile": "kezekte", "kind": "individual", "identity_number": iinSelf, "resident": true,
		"names": map[string]any{"full": "Тестов Тест"}, "contacts": map[string]any{"email": "t@example.kz"},
		"proofs": []any{edsProof(cms)},
		"accept": map[string]any{"offer_id": "kezekte-agreement", "version": 1, "trigger": "eds_signed",
			"consents": consents("personal_data", "commercial_and_tax_secrets")},
	}
	before := s.clock.Now().UTC()
	// The person registers themself; the actor is theirs, whatever the
	// client claims in X-Ledger-Actor.
	testPrincipals.add("kez-self", policy.Principal{Kind: policy.User, IIN: iinSelf})
	self := map[string]string{"Idempotency-Key": "kez-1", "X-Ledger-Actor": "cabinet", "Authorization": "Bearer test-kez-self", "X-Purpose": ""}
	code, body := s.do("POST", "/api/v1/parties", req, self)
	if code != 201 || body["stream_version"] != 2.0 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	// A retry is answered from the first result: nothing new, no second verification.
	n := s.eventCount()
	if code, again := s.do("POST", "/api/v1/parties", req, self); code != 201 || again["party_id"] != id || again["duplicate"] != true {
		t.Fatalf("retry: %d %v", code, again)
	}
	if s.eventCount() != n {
		t.Fatal("the retry wrote events")
	}

	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", hasAcceptance)
	a := checkAcceptance(t, proof, "kezekte-agreement", "kezekte.v1", "eds_signed", "signature_block", iinSelf, "self", texts, 2)
	checkSignature(t, obj(a["signature"]), iinSelf, texts["kk"])
	if a["actor"] != "user:"+iinSelf {
		t.Fatalf("actor = %v", a["actor"])
	}
	reg := list(proof["registration"])
	if len(reg) != 1 || obj(reg[0])["stage"] != "registration" {
		t.Fatalf("registration: %v", proof["registration"])
	}
	pr := obj(list(obj(reg[0])["proofs"])[0])
	checkSignature(t, obj(pr["evidence"]), iinSelf, texts["kk"])

	// Which offer applied when: none before the acceptance, version 1 after.
	code, at := s.do("GET", "/api/v1/parties/"+id+"/offer-at?t="+url.QueryEscape(before.Add(-time.Hour).Format(time.RFC3339)), nil, nil)
	if code != 200 || len(list(at["offers"])) != 0 {
		t.Fatalf("offer-at before: %d %v", code, at)
	}
	code, at = s.do("GET", "/api/v1/parties/"+id+"/offer-at?t="+url.QueryEscape(s.clock.Now().Add(time.Hour).Format(time.RFC3339)), nil, nil)
	if code != 200 || len(list(at["offers"])) != 1 || obj(list(at["offers"])[0])["profile"] != "kezekte.v1" || obj(list(at["offers"])[0])["offer_version"] != 1.0 {
		t.Fatalf("offer-at after: %d %v", code, at)
	}

	// The 3-year term ends three years after the day of acceptance.
	acceptedAt, _ := time.Parse(time.RFC3339, a["accepted_at"].(string))
	end := terms.End(acceptedAt, 3)
	q := "/api/v1/parties/terms-ending?before=" + url.QueryEscape(end.Add(24*time.Hour).Format(time.RFC3339))
	// The term's identity comes from the parties model, which may apply
	// the registration after the terms model does.
	got := s.eventually(q, func(b map[string]any) bool {
		return len(list(b["terms"])) == 1 && obj(list(b["terms"])[0])["identity_number"] != nil
	})
	term := obj(list(got["terms"])[0])
	if term["party_id"] != id || term["years"] != 3.0 || term["ends_at"] != end.UTC().Format(time.RFC3339) || term["identity_number"] != iinSelf {
		t.Fatalf("term: %v (want end %s)", term, end)
	}
	code, none := s.do("GET", "/api/v1/parties/terms-ending?before="+url.QueryEscape(end.Add(-24*time.Hour).Format(time.RFC3339)), nil, nil)
	if code != 200 || len(list(none["terms"])) != 0 {
		t.Fatalf("terms ending a day before the end: %d %v", code, none)
	}
	party := s.eventually("/api/v1/parties/"+id, func(map[string]any) bool { return true })
	if party["identity_number"] != iinSelf || party["profile"] != "kezekte.v1" || obj(party["names"])["full"] != "Тестов Тест" {
		t.Fatalf("party: %v", party)
	}
}

// ISMET (2.1, 5.2, 9.2): pre-registration by a confirmed phone and a ticked
// box accepts the offer before the subject is known; full registration then
// binds the subject by EDS.
func TestISMETPreRegistersThenBindsByEDS(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("ismet-offer", "kk")
	s.publish("ismet-offer", "ismet", texts)
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "ismet", "kind": "individual_entrepreneur", "names": map[string]any{"full": "ИП Тест"},
		"contacts": map[string]any{"phone": "+77010000000"},
		"proofs": []any{
			map[string]any{"kind": "phone_confirmation", "evidence": map[string]any{"activation_code_entered": true}},
			map[string]any{"kind": "checkbox"},
		},
		"accept": map[string]any{"offer_id": "ismet-offer", "version": 1, "trigger": "checkbox", "consents": consents("personal_data")},
	}, nil)
	if code != 201 {
		t.Fatalf("pre-register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	statement := []byte("ISMET full registration of " + id)
	code, body = s.do("POST", "/api/v1/parties/"+id+"/stages", map[string]any{
		"stage": "full_registration", "identity_number": iinSelf,
		"proofs": []any{map[string]any{"kind": "eds_signature", "signature": map[string]any{"cms": b64(pki.Sign(t, leaf, statement, sigtest.SignOptions{Detached: true})), "content": b64(statement)}}},
	}, nil)
	if code != 200 || body["stream_version"] != 3.0 {
		t.Fatalf("full registration: %d %v", code, body)
	}
	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", func(b map[string]any) bool { return hasAcceptance(b) && len(list(b["registration"])) == 2 })
	a := checkAcceptance(t, proof, "ismet-offer", "ismet.v1", "checkbox", "2.1", "", "registrant", texts, 1)
	if a["signature"] != nil {
		t.Fatalf("a checkbox acceptance carries a signature: %v", a)
	}
	full := obj(list(proof["registration"])[1])
	if full["stage"] != "full_registration" || full["identity_number"] != iinSelf {
		t.Fatalf("full registration: %v", full)
	}
	checkSignature(t, obj(obj(list(full["proofs"])[0])["evidence"]), iinSelf, statement)
	party := s.eventually("/api/v1/parties/"+id, func(b map[string]any) bool { return len(list(b["stages_completed"])) == 2 })
	if party["identity_number"] != iinSelf {
		t.Fatalf("party: %v", party)
	}
	// ISMET's contract has no fixed term.
	s.caughtUp("terms")
	code, body = s.do("GET", "/api/v1/parties/terms-ending?before=2100-01-01T00:00:00Z", nil, nil)
	if code != 200 || len(list(body["terms"])) != 0 {
		t.Fatalf("terms: %d %v", code, body)
	}
}

// idocs (6.3, 2.3, 16.8): a legal entity registers with its first head's
// EDS; its users, org units and certificates are recorded; the first head
// accepts the offer by the first payment.
func TestIdocsLegalEntityAcceptsOnFirstPayment(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("idocs-offer", "ru")
	s.publish("idocs-offer", "idocs", texts)
	head := pki.Issue(t, sigtest.Spec{IIN: iinHead, BIN: binEntity, Organization: "ТОО Тест", Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	statement := []byte("idocs registration of BIN " + binEntity)
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"party_id": uuid.NewString(), "profile": "idocs.v1", "kind": "legal_entity", "identity_number": binEntity,
		"names": map[string]any{"full": "ТОО «Тест»", "short": "Тест"}, "contacts": map[string]any{"email": "office@test.kz"},
		"proofs": []any{edsProof(pki.Sign(t, head, statement, sigtest.SignOptions{}))},
	}, nil)
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	steps := []struct {
		path string
		body map[string]any
	}{
		{"org-units", map[string]any{"unit_id": "hq", "kind": "head_office", "name": "Head office", "address": "Almaty"}},
		{"users", map[string]any{"iin": iinHead, "name": "Head", "role": "first_head", "org_unit": "hq"}},
		{"users", map[string]any{"iin": iinEmployee, "name": "Clerk", "role": "employee", "power_of_attorney": map[string]any{
			"number": "POA-1", "scope": []string{"sign_documents"}, "valid_from": s.clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
			"valid_until": s.clock.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}}},
		{"certificates", map[string]any{"user_iin": iinHead, "serial": head.Cert.SerialNumber.Text(16), "issuer": head.Cert.Issuer.String(),
			"key_usage": []string{"sign"}, "not_before": head.Cert.NotBefore.UTC().Format(time.RFC3339), "not_after": head.Cert.NotAfter.UTC().Format(time.RFC3339)}},
	}
	for _, st := range steps {
		if code, body := s.do("POST", "/api/v1/parties/"+id+"/"+st.path, st.body, nil); code != 200 {
			t.Fatalf("%s: %d %v", st.path, code, body)
		}
	}
	// The clerk's power of attorney does not cover acceptance.
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "idocs-offer", "version": 1, "trigger": "first_payment", "by_iin": iinEmployee, "consents": consents("marketing"),
	}, nil)
	if code != 422 || errCode(body) != "party_poa_scope" {
		t.Fatalf("clerk accepts: %d %v", code, body)
	}
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "idocs-offer", "version": 1, "trigger": "first_payment", "by_iin": iinHead, "consents": consents("marketing"),
	}, nil)
	if code != 200 {
		t.Fatalf("accept: %d %v", code, body)
	}
	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", hasAcceptance)
	checkAcceptance(t, proof, "idocs-offer", "idocs.v1", "first_payment", "2.3", iinHead, "first_head", texts, 1)
	reg := obj(list(proof["registration"])[0])
	ev := obj(obj(list(reg["proofs"])[0])["evidence"])
	checkSignature(t, ev, iinHead, statement)

	party := s.eventually("/api/v1/parties/"+id, func(b map[string]any) bool { return len(list(b["certificates"])) == 1 })
	if party["identity_number"] != binEntity || len(list(party["org_units"])) != 1 || len(list(party["users"])) != 2 {
		t.Fatalf("party: %v", party)
	}
	users := list(party["users"])
	if obj(users[0])["iin"] != iinHead || obj(users[0])["org_unit"] != "hq" || obj(obj(users[1])["power_of_attorney"])["number"] != "POA-1" {
		t.Fatalf("users: %v", users)
	}
	if c := obj(list(party["certificates"])[0]); c["user_iin"] != iinHead || c["serial"] != head.Cert.SerialNumber.Text(16) {
		t.Fatalf("certificate: %v", c)
	}
	// The clerk leaves; the head reports a stolen password: from then on the
	// head's acts are not the entity's, so an acceptance is refused.
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/users/"+iinEmployee+"/remove", nil, nil); code != 200 {
		t.Fatalf("remove: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/compromise-reports", map[string]any{"user_iin": iinHead, "credential": "password",
		"statement": "password disclosed"}, nil); code != 200 {
		t.Fatalf("compromise: %d %v", code, body)
	}
	s.eventually("/api/v1/parties/"+id, func(b map[string]any) bool {
		us := list(b["users"])
		return len(us) == 2 && obj(us[0])["compromised_at"] != nil && obj(us[1])["removed_at"] != nil
	})
	// idocs' one-year term.
	s.eventually("/api/v1/parties/terms-ending?before="+url.QueryEscape(s.clock.Now().AddDate(1, 0, 2).Format(time.RFC3339)),
		func(b map[string]any) bool {
			ts := list(b["terms"])
			return len(ts) == 1 && obj(ts[0])["years"] == 1.0 && obj(ts[0])["name"] == "ТОО «Тест»"
		})
}

// Atameken (1.8, 12.1, 4.2): registration by EDS; the agreement is accepted
// by signing it with EDS (here a detached CMS over its Kazakh text), with
// the personal-data consent given at the same moment.
func TestAtamekenAcceptsBySigningTheAgreement(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("atameken-offer", "kk")
	s.publish("atameken-offer", "atameken", texts)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.RSA2048})
	statement := []byte("Atameken cabinet registration")
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "atameken", "kind": "individual", "identity_number": iinSelf, "names": map[string]any{"full": "Тест"},
		"proofs": []any{edsProof(pki.Sign(t, leaf, statement, sigtest.SignOptions{}))},
	}, nil)
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	// Signing something else is not signing the agreement.
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "atameken-offer", "version": 1, "trigger": "eds_signed", "consents": consents("personal_data"),
		"signature": map[string]any{"cms": b64(pki.Sign(t, leaf, statement, sigtest.SignOptions{}))},
	}, nil)
	if code != 422 || errCode(body) != "signature_content_not_offer_text" {
		t.Fatalf("signing other content: %d %v", code, body)
	}
	// Without a signature the trigger is refused.
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "atameken-offer", "version": 1, "trigger": "eds_signed", "by_iin": iinSelf, "consents": consents("personal_data"),
	}, nil)
	if code != 422 || errCode(body) != "party_signature_required" {
		t.Fatalf("unsigned: %d %v", code, body)
	}
	cms := pki.Sign(t, leaf, texts["kk"], sigtest.SignOptions{Detached: true, Timestamp: true})
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "atameken-offer", "version": 1, "trigger": "eds_signed", "consents": consents("personal_data"),
		"signature": map[string]any{"cms": b64(cms), "content": b64(texts["kk"])},
	}, nil)
	if code != 200 || body["stream_version"] != 2.0 {
		t.Fatalf("accept: %d %v", code, body)
	}
	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", hasAcceptance)
	a := checkAcceptance(t, proof, "atameken-offer", "atameken.v1", "eds_signed", "12.1", iinSelf, "self", texts, 1)
	ev := obj(a["signature"])
	checkSignature(t, ev, iinSelf, texts["kk"])
	if obj(list(ev["signers"])[0])["signing_time_source"] != "timestamp" {
		t.Fatalf("the timestamp token is not the signing time: %v", ev)
	}
	// Atameken 6.4: the tariff is accepted again with each application.
	tariff := map[string]any{"application_id": "APP-1", "service": "consulting", "tariff": "basic", "offer_id": "atameken-offer", "offer_version": 1, "by_iin": iinSelf}
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/tariff-acceptances", tariff, nil); code != 200 {
		t.Fatalf("tariff: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/tariff-acceptances", tariff, nil); code != 409 || errCode(body) != "party_already_accepted" {
		t.Fatalf("tariff twice: %d %v", code, body)
	}
	proof = s.eventually("/api/v1/parties/"+id+"/acceptance-proof", func(b map[string]any) bool { return len(list(b["tariff_acceptances"])) == 1 })
	if ta := obj(list(proof["tariff_acceptances"])[0]); ta["application_id"] != "APP-1" || ta["clause"] != "6.4" || ta["tariff"] != "basic" {
		t.Fatalf("tariff acceptance: %v", ta)
	}
}

// Center Pro (7.1.5, 2.3, 2.6, 8.5): registration by EDS; first use of the
// products accepts, with the privacy policy and personal-data consents and
// an optional marketing consent (refused here).
func TestCenterProAcceptsOnFirstUse(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("centerpro-agreement", "kk", "ru")
	s.publish("centerpro-agreement", "centerpro", texts)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinOther, Key: sigtest.ECDSAP256})
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "centerpro", "kind": "self_employed", "identity_number": iinOther, "names": map[string]any{"full": "Самозанятый"},
		"proofs": []any{edsProof(pki.Sign(t, leaf, texts["ru"], sigtest.SignOptions{}))},
	}, nil)
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	acceptance := map[string]any{
		"offer_id": "centerpro-agreement", "version": 1, "trigger": "first_use", "by_iin": iinOther,
		"consents": []any{map[string]any{"kind": "privacy_policy", "given": true}, map[string]any{"kind": "personal_data", "given": true},
			map[string]any{"kind": "marketing", "given": false}},
	}
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", acceptance, map[string]string{"Idempotency-Key": "cp-accept"})
	if code != 200 {
		t.Fatalf("accept: %d %v", code, body)
	}
	// A retry with the same key is answered with the first result.
	code, again := s.do("POST", "/api/v1/parties/"+id+"/acceptances", acceptance, map[string]string{"Idempotency-Key": "cp-accept"})
	if code != 200 || again["duplicate"] != true || again["position"] != body["position"] {
		t.Fatalf("retry: %d %v (first %v)", code, again, body)
	}
	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", hasAcceptance)
	a := checkAcceptance(t, proof, "centerpro-agreement", "centerpro.v1", "first_use", "2.3", iinOther, "self", texts, 3)
	if a["signature"] != nil {
		t.Fatalf("first use carries a signature: %v", a)
	}
	// The same version again is refused and writes nothing.
	n := s.eventCount()
	code, body = s.do("POST", "/api/v1/parties/"+id+"/acceptances", map[string]any{
		"offer_id": "centerpro-agreement", "version": 1, "trigger": "first_use", "by_iin": iinOther,
		"consents": consents("privacy_policy", "personal_data"),
	}, nil)
	if code != 409 || errCode(body) != "party_already_accepted" || s.eventCount() != n {
		t.Fatalf("second acceptance: %d %v", code, body)
	}
}

// An idocs client accepts on registration, changes its requisites, is
// notified of an amended version, objects to it within the window (14.3)
// and gives notice of termination (30 days, 14.5): the proof, the offer in
// force and the terms follow.
func TestIdocsAmendmentObjectionAndTermination(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("idocs-offer", "ru")
	s.publish("idocs-offer", "idocs", texts)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Key: sigtest.ECDSAP256})
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "idocs", "kind": "individual_entrepreneur", "identity_number": iinSelf, "names": map[string]any{"full": "ИП Тест"},
		"proofs": []any{edsProof(pki.Sign(t, leaf, []byte("registration"), sigtest.SignOptions{}))},
		"accept": map[string]any{"offer_id": "idocs-offer", "version": 1, "trigger": "registration", "consents": consents("marketing")},
	}, nil)
	if code != 201 || body["stream_version"] != 2.0 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	// A second client accepts version 1 too, and later says nothing.
	other := pki.Issue(t, sigtest.Spec{IIN: iinOther, Key: sigtest.ECDSAP256})
	code, body = s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "idocs", "kind": "individual", "identity_number": iinOther, "names": map[string]any{"full": "Молчун"},
		"proofs": []any{edsProof(pki.Sign(t, other, []byte("registration"), sigtest.SignOptions{}))},
		"accept": map[string]any{"offer_id": "idocs-offer", "version": 1, "trigger": "registration", "consents": consents("marketing")},
	}, nil)
	if code != 201 {
		t.Fatalf("register the silent client: %d %v", code, body)
	}
	silent := body["party_id"].(string)
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/requisites", map[string]any{"contacts": map[string]any{"email": "new@test.kz"},
		"changed_on": s.clock.Now().UTC().Format("2006-01-02")}, nil); code != 200 {
		t.Fatalf("requisites: %d %v", code, body)
	}
	v2 := offerTexts("idocs-offer-v2", "ru")
	effective := s.clock.Now().Add(time.Minute)
	if code, body := s.do("POST", "/api/v1/offers/idocs-offer/versions", map[string]any{"profile": "idocs",
		"texts": []any{map[string]any{"language": "ru", "sha256": sha(v2["ru"])}}, "effective_at": effective.Format(time.RFC3339Nano)}, nil); code != 201 {
		t.Fatalf("publish v2: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/offers/idocs-offer/versions/2/notices", map[string]any{"channel": "site", "recipients": "all"}, nil); code != 200 {
		t.Fatalf("notice: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/offers/idocs-offer/versions/2/notices", map[string]any{"channel": "telegram", "recipients": "all"}, nil); code != 422 || errCode(body) != "offer_notice_channel" {
		t.Fatalf("notice by an unknown channel: %d %v", code, body)
	}
	s.clock.Advance(time.Minute + time.Second) // version 2 is in effect
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/amendment-objections", map[string]any{"offer_id": "idocs-offer", "version": 2, "by_iin": iinSelf}, nil); code != 200 {
		t.Fatalf("objection: %d %v", code, body)
	}
	code, body = s.do("POST", "/api/v1/parties/"+id+"/termination", map[string]any{"by": "client", "by_iin": iinSelf, "reason": "objects to version 2"}, nil)
	if code != 200 {
		t.Fatalf("termination: %d %v", code, body)
	}
	proof := s.eventually("/api/v1/parties/"+id+"/acceptance-proof", func(b map[string]any) bool { return b["termination"] != nil })
	checkAcceptance(t, proof, "idocs-offer", "idocs.v1", "registration", "2.3", iinSelf, "self", texts, 1)
	if ob := list(proof["objections"]); len(ob) != 1 || obj(ob[0])["offer_version"] != 2.0 || obj(ob[0])["clause"] != "14.3" {
		t.Fatalf("objections: %v", proof["objections"])
	}
	term := obj(proof["termination"])
	notified, _ := time.Parse(time.RFC3339, term["notified_at"].(string))
	effectiveAt, _ := time.Parse(time.RFC3339, term["effective_at"].(string))
	if term["by"] != "client" || effectiveAt.Sub(notified) < 30*24*time.Hour || effectiveAt.Sub(notified) > 31*24*time.Hour {
		t.Fatalf("termination: %v", term)
	}
	// The silent client is bound by version 2 once it is in effect (14.3);
	// the objecting one stays on version 1.
	s.caughtUp("acceptances")
	_, at := s.do("GET", "/api/v1/parties/"+silent+"/offer-at?t="+url.QueryEscape(s.clock.Now().UTC().Format(time.RFC3339Nano)), nil, nil)
	if offers := list(at["offers"]); len(offers) != 1 || obj(offers[0])["offer_version"] != 2.0 || obj(offers[0])["basis"] != "silence_after_amendment" ||
		obj(offers[0])["clause"] != "14.3" || obj(obj(offers[0])["acceptance"])["offer_version"] != 1.0 {
		t.Fatalf("the silent client's offer: %v", at)
	}
	// Version 1 applies until the termination takes effect, nothing after.
	_, at = s.do("GET", "/api/v1/parties/"+id+"/offer-at?t="+url.QueryEscape(effectiveAt.Add(-time.Hour).Format(time.RFC3339)), nil, nil)
	if offers := list(at["offers"]); len(offers) != 1 || obj(offers[0])["offer_version"] != 1.0 || obj(offers[0])["basis"] != "acceptance" {
		t.Fatalf("offer before the termination: %v", at)
	}
	_, at = s.do("GET", "/api/v1/parties/"+id+"/offer-at?t="+url.QueryEscape(effectiveAt.Format(time.RFC3339)), nil, nil)
	if len(list(at["offers"])) != 0 || at["terminated_at"] == nil {
		t.Fatalf("offer after the termination: %v", at)
	}
	// The one-year term is cut short by the termination: not listed; the
	// silent client's is.
	s.eventually("/api/v1/parties/"+id, func(b map[string]any) bool {
		return b["termination_effective_at"] != nil && obj(b["contacts"])["email"] == "new@test.kz"
	})
	s.caughtUp("terms")
	code, body = s.do("GET", "/api/v1/parties/terms-ending?before="+url.QueryEscape(s.clock.Now().AddDate(2, 0, 0).Format(time.RFC3339)), nil, nil)
	if ts := list(body["terms"]); code != 200 || len(ts) != 1 || obj(ts[0])["party_id"] != silent {
		t.Fatalf("terms: %d %v", code, body)
	}
	offer := s.eventually("/api/v1/offers/idocs-offer", func(b map[string]any) bool { return len(list(b["versions"])) == 2 })
	if n := list(obj(list(offer["versions"])[1])["notices"]); len(n) != 1 || obj(n[0])["channel"] != "site" {
		t.Fatalf("offer: %v", offer)
	}
}
