// Package profile holds the policy profiles: the rules in which docledger's
// operators differ (acceptance triggers and registration flows, consents,
// deadlines, notice periods, block grounds, retention, billing), read from
// one versioned data file per operator, and the engine that computes a
// deadline under a profile on the Kazakhstan calendar.
//
// Rules are data: code reads a rule by its id from the profile an offer
// version names, and never asks which operator it is serving. Every rule
// cites the clause of the operator's text it comes from; where the text is
// silent or contradicts itself, the profile records the choice made and why
// (Choices).
//
// A profile is validated when loaded (Parse): unknown fields, a missing
// clause, an unknown unit, trigger or scope, or a reference to a rule that
// does not exist make it fail, so a bad profile never reaches the engine.
package profile

import (
	"fmt"
	"strconv"
	"strings"

	"docledger/domain"
)

// Errors of loading and using profiles.
var (
	ErrInvalidProfile = domain.NewError("profile_invalid", "the policy profile is invalid")
	ErrUnknownProfile = domain.NewError("profile_unknown", "no such policy profile")
	ErrUnknownRule    = domain.NewError("profile_rule_unknown", "the policy profile has no such rule")
)

// Ref names one version of one profile: "idocs" version 1 is written
// "idocs.v1".
type Ref struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

func (r Ref) String() string { return r.ID + ".v" + strconv.Itoa(r.Version) }

// ParseRef reads "idocs.v1". A bare "idocs" has Version 0, which a Catalog
// reads as the latest version.
func ParseRef(s string) (Ref, error) {
	id, v, found := strings.Cut(s, ".v")
	if !validID(id) {
		return Ref{}, ErrUnknownProfile.Withf("%q", s)
	}
	if !found {
		return Ref{ID: id}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return Ref{}, ErrUnknownProfile.Withf("%q", s)
	}
	return Ref{ID: id, Version: n}, nil
}

// Profile is one version of one operator's policy profile.
type Profile struct {
	ID       string   `json:"id"`
	Version  int      `json:"version"`
	Operator Operator `json:"operator"`
	// Source is the offer or agreement text the rules cite.
	Source       Source       `json:"source"`
	Registration Registration `json:"registration"`
	Acceptance   Acceptance   `json:"acceptance"`
	Amendments   Amendments   `json:"amendments"`
	Deadlines    []Rule       `json:"deadlines"`
	Blocks       []Block      `json:"blocks"`
	Retention    []Retention  `json:"retention"`
	Billing      []Billing    `json:"billing"`
	// Attribution is the clause that makes every action under the
	// client's EDS or login the client's own until a compromise report.
	Attribution Clause   `json:"attribution"`
	Choices     []Choice `json:"choices"`
}

// Ref is the profile's reference.
func (p *Profile) Ref() Ref { return Ref{ID: p.ID, Version: p.Version} }

// Operator is who runs the platform.
type Operator struct {
	Name string `json:"name"`
	BIN  string `json:"bin,omitempty"`
	Site string `json:"site,omitempty"`
}

// Source is the text the profile's clauses point into.
type Source struct {
	File      string   `json:"file"`
	Title     string   `json:"title"`
	Languages []string `json:"languages"`
	// Prevailing is "kk", "ru" or "equal" (the text names none).
	Prevailing       string `json:"prevailing"`
	PrevailingClause string `json:"prevailing_clause,omitempty"`
	Updated          string `json:"updated,omitempty"`
}

// Registration is the flow a party goes through, as ordered stages.
type Registration struct {
	Stages []Stage `json:"stages"`
}

// Proof kinds a registration stage can require.
const (
	ProofPhone    = "phone_confirmation"
	ProofEmail    = "email_confirmation"
	ProofEDS      = "eds_signature"
	ProofCheckbox = "checkbox"
	ProofPassword = "password"
)

var proofKinds = set(ProofPhone, ProofEmail, ProofEDS, ProofCheckbox, ProofPassword)

// Stage is one step of registration.
type Stage struct {
	Name     string   `json:"name"`
	Requires []string `json:"requires"`
	// BindsSubject says that the stage binds the party's IIN or BIN to
	// the account; before it the party has no verified identity.
	BindsSubject bool   `json:"binds_subject"`
	Clause       string `json:"clause"`
	Note         string `json:"note,omitempty"`
}

// Acceptance triggers: the action that accepts an offer.
const (
	TriggerRegistration = "registration"
	TriggerFirstPayment = "first_payment"
	TriggerFirstUse     = "first_use"
	TriggerEDSSigned    = "eds_signed"
	TriggerCheckbox     = "checkbox"
)

var triggerKinds = set(TriggerRegistration, TriggerFirstPayment, TriggerFirstUse, TriggerEDSSigned, TriggerCheckbox)

// Consent kinds recorded with an acceptance.
const (
	ConsentPersonalData            = "personal_data"
	ConsentPersonalDataCrossBorder = "personal_data_cross_border"
	ConsentSecrets                 = "commercial_and_tax_secrets"
	ConsentMarketing               = "marketing"
	ConsentPrivacyPolicy           = "privacy_policy"
)

var consentKinds = set(ConsentPersonalData, ConsentPersonalDataCrossBorder, ConsentSecrets, ConsentMarketing, ConsentPrivacyPolicy)

// Acceptance says how the offer is accepted and what is recorded with it.
type Acceptance struct {
	Triggers []Trigger `json:"triggers"`
	Consents []Consent `json:"consents"`
	// PerApplicationTariff, when set, asks for the tariff to be accepted
	// again with every application for a service.
	PerApplicationTariff *Clause `json:"per_application_tariff,omitempty"`
	Term                 Term    `json:"term"`
}

// Trigger is one way of accepting.
type Trigger struct {
	Trigger string `json:"trigger"`
	// Stage is the registration stage the trigger belongs to, if any.
	Stage string `json:"stage,omitempty"`
	// RequiresSignature: the acceptance must carry EDS signature evidence.
	RequiresSignature bool   `json:"requires_signature"`
	Clause            string `json:"clause"`
}

// Consent is a consent given together with the acceptance.
type Consent struct {
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
	// Lasts says for how long, when the text says so.
	Lasts  string `json:"lasts,omitempty"`
	Clause string `json:"clause"`
}

// Clause is a rule with nothing but its clause.
type Clause struct {
	Clause string `json:"clause"`
	Note   string `json:"note,omitempty"`
}

// Term is how long the contract runs.
type Term struct {
	// Years is 0 for an indefinite term.
	Years  int    `json:"years"`
	Renews bool   `json:"renews"`
	Clause string `json:"clause"`
	Note   string `json:"note,omitempty"`
}

// Amendments says how a new offer version reaches accepted clients.
type Amendments struct {
	// Channels the notice goes by ("site", "email", "cabinet", ...).
	Channels []string `json:"channels"`
	// NoticeRule is the id of the deadline rule for the least notice
	// before a new version takes effect ("" when none is owed).
	NoticeRule string `json:"notice_rule,omitempty"`
	// ObjectionRule is the id of the deadline rule for the window in which
	// a client may object (by terminating); "" when the text gives none.
	ObjectionRule string `json:"objection_rule,omitempty"`
	// SilenceMeans is what happens when the client neither objects nor
	// stops: "accepted".
	SilenceMeans string `json:"silence_means"`
	Clause       string `json:"clause"`
}

// Units of a deadline rule.
const (
	UnitCalendarDays = "calendar_days"
	UnitWorkingDays  = "working_days"
	UnitHours        = "hours"
	UnitMonths       = "months"
	UnitYears        = "years"
)

var units = set(UnitCalendarDays, UnitWorkingDays, UnitHours, UnitMonths, UnitYears)

// Rule is a deadline or notice period: Amount Units after (or before) the
// event From.
type Rule struct {
	ID     string `json:"id"`
	Amount int    `json:"amount"`
	Unit   string `json:"unit"`
	// From names the event the period runs from ("document.delivered").
	From string `json:"from"`
	// Before: the period ends Amount Units before From (a least notice),
	// instead of after it.
	Before bool `json:"before"`
	// NextWorkingDay: a last day that is not a working day moves to the
	// next working day (the Civil Code's rule for periods; days units only).
	NextWorkingDay bool `json:"next_working_day"`
	// EarliestOf, when set, makes the rule the earlier of the named rules
	// (all running from the same event): where a text gives two periods
	// for one thing, the stricter applies. Amount and Unit stay unset.
	EarliestOf []string `json:"earliest_of,omitempty"`
	Clause     string   `json:"clause"`
	Note       string   `json:"note,omitempty"`
}

// Block scopes: what a block stops.
const (
	ScopeAll            = "all"
	ScopeSendOutgoing   = "send_outgoing"
	ScopeSignOutgoing   = "sign_outgoing"
	ScopeCreateInternal = "create_internal"
	ScopeSomeProducts   = "some_products"
	ScopeServices       = "services"
	ScopeAccount        = "account"
)

var scopes = set(ScopeAll, ScopeSendOutgoing, ScopeSignOutgoing, ScopeCreateInternal, ScopeSomeProducts, ScopeServices, ScopeAccount)

// Block actions.
var blockActions = set("block", "restrict", "delete_account", "terminate", "refuse_contract", "withhold_services", "refuse_registration")

// Block is a ground on which the operator blocks a client.
type Block struct {
	Ground string   `json:"ground"`
	Clause string   `json:"clause"`
	Action []string `json:"action"`
	Scope  []string `json:"scope"`
	// PerOrgUnit: the block applies to the org unit in debt, not the
	// whole party.
	PerOrgUnit bool `json:"per_org_unit"`
	// NoticeRule is the id of the deadline rule between the notice and
	// the block ("" when the block is immediate).
	NoticeRule    string `json:"notice_rule,omitempty"`
	NoticeChannel string `json:"notice_channel,omitempty"`
	// LiftedBy is what lifts the block ("" when nothing does).
	LiftedBy string `json:"lifted_by,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Retention is how long something is kept.
type Retention struct {
	ID     string `json:"id"`
	Amount int    `json:"amount"`
	Unit   string `json:"unit"`
	From   string `json:"from"`
	// AtMost: the period is a maximum rather than a minimum.
	AtMost bool   `json:"at_most"`
	Clause string `json:"clause"`
	Note   string `json:"note,omitempty"`
}

// Billing rule names.
var billingRules = set(
	"prepayment", "overdraft", "interest_on_balance", "top_up_counts_from", "balance_credited_within_hours",
	"tariff_period", "auto_renewal", "auto_debit", "tariff_change_effective", "paid_period_keeps_price",
	"tariff_closed_choice_days", "invoice_payment_rule", "late_penalty_percent_per_day", "refund_on_termination",
	"forfeit_balance_on_systematic_breach", "liability_cap", "data_loss_liability_cap",
	"metering_basis", "pay_for_counterparty", "acts_of_completed_works", "payment_before_service",
)

// Billing is one billing rule: a named rule and its value.
type Billing struct {
	Rule   string `json:"rule"`
	Value  string `json:"value"`
	Clause string `json:"clause"`
	Note   string `json:"note,omitempty"`
}

// Choice records a decision taken where the source text is silent or
// contradicts itself.
type Choice struct {
	Topic   string   `json:"topic"`
	Clauses []string `json:"clauses"`
	Kind    string   `json:"kind"` // "silent" or "contradictory"
	Choice  string   `json:"choice"`
	Why     string   `json:"why"`
}

// Rule returns the deadline rule with id.
func (p *Profile) Rule(id string) (Rule, error) {
	for _, r := range p.Deadlines {
		if r.ID == id {
			return r, nil
		}
	}
	return Rule{}, ErrUnknownRule.Withf("%s has no rule %q", p.Ref(), id)
}

// Trigger returns the acceptance trigger of kind t.
func (p *Profile) Trigger(t string) (Trigger, bool) {
	for _, x := range p.Acceptance.Triggers {
		if x.Trigger == t {
			return x, true
		}
	}
	return Trigger{}, false
}

// Stage returns the registration stage with name and its index.
func (p *Profile) Stage(name string) (Stage, int, bool) {
	for i, s := range p.Registration.Stages {
		if s.Name == name {
			return s, i, true
		}
	}
	return Stage{}, -1, false
}

// Block returns the block ground named ground.
func (p *Profile) Block(ground string) (Block, bool) {
	for _, b := range p.Blocks {
		if b.Ground == ground {
			return b, true
		}
	}
	return Block{}, false
}

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func validID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9' && i > 0, (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

func (e problems) err() error {
	if len(e) == 0 {
		return nil
	}
	return ErrInvalidProfile.Withf("%s", strings.Join(e, "; "))
}

type problems []string

func (e *problems) add(format string, args ...any) { *e = append(*e, fmt.Sprintf(format, args...)) }
