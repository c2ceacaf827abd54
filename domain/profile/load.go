package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sort"
	"strings"

	"docledger/domain/kzid"
)

var (
	// A clause is a clause number ("4.6", "3.4.1") or an unnumbered part
	// of the text ("signature_block", "preamble").
	clauseRe = regexp.MustCompile(`^([0-9]+(\.[0-9]+)*|signature_block|preamble)$`)
	// An event a period runs from: "namespace.past_tense".
	eventRe = regexp.MustCompile(`^[a-z][a-z_]*\.[a-z][a-z_]*$`)
	// A rule id, ground or stage name.
	nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// maxProfileSize bounds what Parse reads.
const maxProfileSize = 1 << 20

// Parse decodes and validates one profile file. Unknown fields, trailing
// data and every broken rule make it fail with ErrInvalidProfile, listing
// all problems found.
func Parse(data []byte) (*Profile, error) {
	if len(data) > maxProfileSize {
		return nil, ErrInvalidProfile.Withf("larger than %d bytes", maxProfileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, ErrInvalidProfile.Withf("decode: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrInvalidProfile.Withf("trailing data after the profile")
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Profile) validate() error {
	var e problems
	clause := func(where, c string) {
		if !clauseRe.MatchString(c) {
			e.add("%s: clause %q is not a clause number", where, c)
		}
	}
	if !validID(p.ID) {
		e.add("id %q: lowercase letters, digits, - and _", p.ID)
	}
	if p.Version < 1 {
		e.add("version must be at least 1")
	}
	if strings.TrimSpace(p.Operator.Name) == "" {
		e.add("operator.name is required")
	}
	if p.Operator.BIN != "" {
		if id, err := kzid.Parse(p.Operator.BIN); err != nil || id.Kind != kzid.KindBIN {
			e.add("operator.bin %q is not a valid BIN", p.Operator.BIN)
		}
	}
	if p.Source.File == "" || p.Source.Title == "" {
		e.add("source.file and source.title are required")
	}
	langs := map[string]bool{}
	for _, l := range p.Source.Languages {
		if l != "kk" && l != "ru" {
			e.add("source.languages: %q is not kk or ru", l)
		}
		langs[l] = true
	}
	if len(langs) == 0 {
		e.add("source.languages is required")
	}
	switch pv := p.Source.Prevailing; {
	case pv == "equal":
	case (pv == "kk" || pv == "ru") && langs[pv]:
	default:
		e.add("source.prevailing %q must be one of source.languages or \"equal\"", pv)
	}
	if p.Source.PrevailingClause != "" {
		clause("source.prevailing_clause", p.Source.PrevailingClause)
	}

	// Deadline rules first: everything else refers to them.
	rules := map[string]bool{}
	for i, r := range p.Deadlines {
		where := "deadlines[" + r.ID + "]"
		if !nameRe.MatchString(r.ID) {
			e.add("deadlines[%d]: id %q", i, r.ID)
		}
		if rules[r.ID] {
			e.add("%s: duplicate id", where)
		}
		rules[r.ID] = true
		switch {
		case len(r.EarliestOf) > 0:
			if r.Amount != 0 || r.Unit != "" || r.Before || r.NextWorkingDay {
				e.add("%s: earliest_of excludes amount, unit, before and next_working_day", where)
			}
		case r.Amount < 1:
			e.add("%s: amount must be at least 1", where)
		case !units[r.Unit]:
			e.add("%s: unknown unit %q", where, r.Unit)
		}
		if !eventRe.MatchString(r.From) {
			e.add("%s: from %q is not an event name", where, r.From)
		}
		if r.NextWorkingDay && r.Unit != UnitCalendarDays {
			e.add("%s: next_working_day only applies to calendar_days", where)
		}
		clause(where, r.Clause)
	}
	for _, r := range p.Deadlines {
		for _, id := range r.EarliestOf {
			o, err := p.Rule(id)
			switch {
			case err != nil:
				e.add("deadlines[%s]: earliest_of: no rule %q", r.ID, id)
			case len(o.EarliestOf) > 0:
				e.add("deadlines[%s]: earliest_of: %q is itself a choice of rules", r.ID, id)
			case o.From != r.From:
				e.add("deadlines[%s]: earliest_of: %q runs from %s, not %s", r.ID, id, o.From, r.From)
			}
		}
	}
	ruleRef := func(where, id string) {
		if id != "" && !rules[id] {
			e.add("%s: no deadline rule %q", where, id)
		}
	}

	stages := map[string]bool{}
	if len(p.Registration.Stages) == 0 {
		e.add("registration.stages: at least one stage")
	}
	binds := 0
	for _, s := range p.Registration.Stages {
		where := "registration.stages[" + s.Name + "]"
		if !nameRe.MatchString(s.Name) || stages[s.Name] {
			e.add("%s: name missing, malformed or duplicate", where)
		}
		stages[s.Name] = true
		if len(s.Requires) == 0 {
			e.add("%s: requires at least one proof", where)
		}
		for _, r := range s.Requires {
			if !proofKinds[r] {
				e.add("%s: unknown proof %q", where, r)
			}
		}
		if s.BindsSubject {
			binds++
		}
		clause(where, s.Clause)
	}
	if binds != 1 {
		e.add("registration: exactly one stage binds the subject, found %d", binds)
	}

	if len(p.Acceptance.Triggers) == 0 {
		e.add("acceptance.triggers: at least one trigger")
	}
	seen := map[string]bool{}
	for _, t := range p.Acceptance.Triggers {
		where := "acceptance.triggers[" + t.Trigger + "]"
		if !triggerKinds[t.Trigger] || seen[t.Trigger] {
			e.add("%s: unknown or duplicate trigger", where)
		}
		seen[t.Trigger] = true
		if t.Stage != "" && !stages[t.Stage] {
			e.add("%s: no registration stage %q", where, t.Stage)
		}
		if t.Trigger == TriggerEDSSigned && !t.RequiresSignature {
			e.add("%s: an EDS-signed acceptance requires a signature", where)
		}
		clause(where, t.Clause)
	}
	seen = map[string]bool{}
	for _, c := range p.Acceptance.Consents {
		where := "acceptance.consents[" + c.Kind + "]"
		if !consentKinds[c.Kind] || seen[c.Kind] {
			e.add("%s: unknown or duplicate consent", where)
		}
		seen[c.Kind] = true
		clause(where, c.Clause)
	}
	if t := p.Acceptance.PerApplicationTariff; t != nil {
		clause("acceptance.per_application_tariff", t.Clause)
	}
	if p.Acceptance.Term.Years < 0 {
		e.add("acceptance.term.years must not be negative")
	}
	clause("acceptance.term", p.Acceptance.Term.Clause)

	a := p.Amendments
	if len(a.Channels) == 0 {
		e.add("amendments.channels: at least one channel")
	}
	ruleRef("amendments.notice_rule", a.NoticeRule)
	ruleRef("amendments.objection_rule", a.ObjectionRule)
	if a.SilenceMeans != "accepted" {
		e.add("amendments.silence_means must be \"accepted\"")
	}
	clause("amendments", a.Clause)

	seen = map[string]bool{}
	for _, b := range p.Blocks {
		where := "blocks[" + b.Ground + "]"
		if !nameRe.MatchString(b.Ground) || seen[b.Ground] {
			e.add("%s: ground missing, malformed or duplicate", where)
		}
		seen[b.Ground] = true
		if len(b.Action) == 0 || len(b.Scope) == 0 {
			e.add("%s: action and scope are required", where)
		}
		for _, x := range b.Action {
			if !blockActions[x] {
				e.add("%s: unknown action %q", where, x)
			}
		}
		for _, s := range b.Scope {
			if !scopes[s] {
				e.add("%s: unknown scope %q", where, s)
			}
		}
		ruleRef(where+".notice_rule", b.NoticeRule)
		clause(where, b.Clause)
	}
	seen = map[string]bool{}
	for _, r := range p.Retention {
		where := "retention[" + r.ID + "]"
		if !nameRe.MatchString(r.ID) || seen[r.ID] {
			e.add("%s: id missing, malformed or duplicate", where)
		}
		seen[r.ID] = true
		if r.Amount < 1 || !units[r.Unit] || !eventRe.MatchString(r.From) {
			e.add("%s: amount, unit and from must be set", where)
		}
		clause(where, r.Clause)
	}
	for _, b := range p.Billing {
		where := "billing[" + b.Rule + "]"
		if !billingRules[b.Rule] {
			e.add("%s: unknown billing rule", where)
		}
		if strings.TrimSpace(b.Value) == "" {
			e.add("%s: value is required", where)
		}
		clause(where, b.Clause)
	}
	clause("attribution", p.Attribution.Clause)
	for i, c := range p.Choices {
		where := "choices[" + c.Topic + "]"
		if strings.TrimSpace(c.Topic) == "" || strings.TrimSpace(c.Choice) == "" || strings.TrimSpace(c.Why) == "" {
			e.add("choices[%d]: topic, choice and why are required", i)
		}
		if c.Kind != "silent" && c.Kind != "contradictory" {
			e.add("%s: kind must be silent or contradictory", where)
		}
		if len(c.Clauses) == 0 {
			e.add("%s: cite at least one clause", where)
		}
		for _, cl := range c.Clauses {
			clause(where, cl)
		}
	}
	return e.err()
}

// Catalog holds every loaded profile version.
type Catalog struct {
	byRef  map[Ref]*Profile
	latest map[string]int
}

// NewCatalog validates each file and indexes the profiles. Two files with
// the same id and version are refused.
func NewCatalog(files map[string][]byte) (*Catalog, error) {
	c := &Catalog{byRef: map[Ref]*Profile{}, latest: map[string]int{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := Parse(files[n])
		if err != nil {
			return nil, ErrInvalidProfile.Withf("%s: %v", n, err)
		}
		if want := p.Ref().String() + ".json"; n != want {
			return nil, ErrInvalidProfile.Withf("%s: a profile %s must be in %s", n, p.Ref(), want)
		}
		if _, dup := c.byRef[p.Ref()]; dup {
			return nil, ErrInvalidProfile.Withf("%s: %s loaded twice", n, p.Ref())
		}
		c.byRef[p.Ref()] = p
		c.latest[p.ID] = max(c.latest[p.ID], p.Version)
	}
	return c, nil
}

// Get returns the profile ref names; Version 0 means the latest.
func (c *Catalog) Get(ref Ref) (*Profile, error) {
	if ref.Version == 0 {
		ref.Version = c.latest[ref.ID]
	}
	p, ok := c.byRef[ref]
	if !ok {
		return nil, ErrUnknownProfile.Withf("%s", ref)
	}
	return p, nil
}

// Refs lists the loaded profiles in order.
func (c *Catalog) Refs() []Ref {
	out := make([]Ref, 0, len(c.byRef))
	for r := range c.byRef {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Version < out[j].Version
	})
	return out
}
