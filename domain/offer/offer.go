// Package offer is the offer aggregate: the public offer or user agreement
// of one operator, as a sequence of versions. Each version carries the
// SHA-256 of its Kazakh and Russian texts, which language prevails, the
// policy profile version it runs under, and when it was published, takes
// effect and (perhaps) was withdrawn; amended versions carry the notices
// sent about them.
//
// Whether a version can be accepted at a given time is answered here
// (AcceptableVersion); the acceptance itself is the party's act and is
// recorded in the party aggregate (docledger/domain/party), which gets the
// Version value from this aggregate.
package offer

import (
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/event"
	"docledger/domain/profile"
)

// Errors the offer's rules return.
var (
	ErrVersionUnknown      = domain.NewError("offer_version_unknown", "the offer has no such version")
	ErrVersionWithdrawn    = domain.NewError("offer_version_withdrawn", "the offer version has been withdrawn")
	ErrVersionNotEffective = domain.NewError("offer_version_not_effective", "the offer version is not in effect yet")
	ErrVersionSuperseded   = domain.NewError("offer_version_superseded", "a later version of the offer is in effect")
	ErrProfileMismatch     = domain.NewError("offer_profile_mismatch", "the version's policy profile does not fit the offer")
	ErrTextMissing         = domain.NewError("offer_text_missing", "a language of the offer has no text")
	ErrNoticeTooShort      = domain.NewError("offer_notice_too_short", "the amendment is published too late for the notice the profile requires")
	ErrNotAnAmendment      = domain.NewError("offer_not_an_amendment", "the first version of an offer amends nothing")
	ErrChannel             = domain.NewError("offer_notice_channel", "the profile does not name this notice channel")
)

// StreamID is the stream of the offer with id.
func StreamID(id string) string { return "offer-" + id }

// Notice is an amendment notice of a version.
type Notice struct {
	Channel    string
	Recipients string
	SentAt     time.Time
}

// Version is one version of the offer, as recorded.
type Version struct {
	OfferID     string
	Number      int
	Profile     profile.Ref
	Texts       []Text
	Prevailing  string
	PublishedAt time.Time
	EffectiveAt time.Time
	// WithdrawnAt is zero while the version stands.
	WithdrawnAt time.Time
	Notices     []Notice
}

// Event times a profile's deadline rules can run from.
const (
	EventPublished  = "offer.published"
	EventEffective  = "offer.effective"
	EventWithdrawn  = "offer.withdrawn"
	EventNoticeSent = "offer.notice_sent"
)

// EventTime returns the time of the version's event name (EventPublished,
// EventEffective, EventWithdrawn, EventNoticeSent: the first notice).
func (v Version) EventTime(name string) (time.Time, bool) {
	switch name {
	case EventPublished:
		return v.PublishedAt, true
	case EventEffective:
		return v.EffectiveAt, true
	case EventWithdrawn:
		return v.WithdrawnAt, !v.WithdrawnAt.IsZero()
	case EventNoticeSent:
		if len(v.Notices) > 0 {
			return v.Notices[0].SentAt, true
		}
	}
	return time.Time{}, false
}

// AcceptableAt checks the version's own dates: it is in effect at t and not
// withdrawn by then.
func (v Version) AcceptableAt(t time.Time) error {
	switch {
	case !v.WithdrawnAt.IsZero() && !t.Before(v.WithdrawnAt):
		return ErrVersionWithdrawn.Withf("%s version %d withdrawn at %s", v.OfferID, v.Number, v.WithdrawnAt.Format(time.RFC3339))
	case t.Before(v.EffectiveAt):
		return ErrVersionNotEffective.Withf("%s version %d takes effect at %s", v.OfferID, v.Number, v.EffectiveAt.Format(time.RFC3339))
	}
	return nil
}

// Offer is the aggregate. Its state is changed only by apply.
type Offer struct {
	domain.Root
	id       string
	versions []Version
}

// New returns an empty offer with id (a lowercase slug such as
// "idocs-public-offer"), ready to load or publish.
func New(id string) *Offer { return &Offer{id: id} }

// StreamID names the offer's stream.
func (o *Offer) StreamID() string { return StreamID(o.id) }

// ID is the offer's id.
func (o *Offer) ID() string { return o.id }

// Versions lists the versions in order.
func (o *Offer) Versions() []Version { return slices.Clone(o.versions) }

// Version returns version n.
func (o *Offer) Version(n int) (Version, bool) {
	if n < 1 || n > len(o.versions) {
		return Version{}, false
	}
	return o.versions[n-1], true
}

// Current is the latest version in effect and not withdrawn at t.
func (o *Offer) Current(t time.Time) (Version, bool) {
	for i := len(o.versions) - 1; i >= 0; i-- {
		if o.versions[i].AcceptableAt(t) == nil {
			return o.versions[i], true
		}
	}
	return Version{}, false
}

// AcceptableVersion returns version n when a client may accept it at t: it
// exists, is in effect, is not withdrawn, and no later version is in effect.
func (o *Offer) AcceptableVersion(n int, t time.Time) (Version, error) {
	v, ok := o.Version(n)
	if !ok {
		return Version{}, ErrVersionUnknown.Withf("%s version %d", o.id, n)
	}
	if err := v.AcceptableAt(t); err != nil {
		return Version{}, err
	}
	if c, ok := o.Current(t); ok && c.Number > n {
		return Version{}, ErrVersionSuperseded.Withf("%s version %d is in effect", o.id, c.Number)
	}
	return v, nil
}

// Publication is what publishing a version needs.
type Publication struct {
	Texts []Text
	// Prevailing is "kk", "ru" or "equal"; empty means the profile's.
	Prevailing  string
	EffectiveAt time.Time
}

// Publish publishes the next version at now under the engine's profile.
// Every language of the profile's source needs a text. A version after the
// first is an amendment: when the profile asks for a least notice
// (amendments.notice_rule), now must be no later than that notice before
// EffectiveAt.
func (o *Offer) Publish(pub Publication, eng *profile.Engine, now time.Time) error {
	p := eng.Profile()
	if !validSlug(o.id) {
		return domain.ErrValidation.Withf("offer id %q: lowercase letters, digits and -", o.id)
	}
	if len(o.versions) > 0 && o.versions[0].Profile.ID != p.ID {
		return ErrProfileMismatch.Withf("offer %s runs under %s, not %s", o.id, o.versions[0].Profile.ID, p.ID)
	}
	if pub.EffectiveAt.IsZero() || pub.EffectiveAt.Before(now) {
		return domain.ErrValidation.Withf("effective_at must not be before the publication")
	}
	langs := map[string]bool{}
	for _, t := range pub.Texts {
		if t.Language != "kk" && t.Language != "ru" {
			return domain.ErrValidation.Withf("text language %q: kk or ru", t.Language)
		}
		if langs[t.Language] {
			return domain.ErrValidation.Withf("two %s texts", t.Language)
		}
		if !isSHA256Hex(t.SHA256) {
			return domain.ErrValidation.Withf("%s text sha256 must be 64 lowercase hex digits", t.Language)
		}
		langs[t.Language] = true
	}
	for _, l := range p.Source.Languages {
		if !langs[l] {
			return ErrTextMissing.Withf("%s (profile %s)", l, p.Ref())
		}
	}
	if pub.Prevailing == "" {
		pub.Prevailing = p.Source.Prevailing
	}
	if pub.Prevailing != p.Source.Prevailing {
		return ErrProfileMismatch.Withf("profile %s says %q prevails, not %q", p.Ref(), p.Source.Prevailing, pub.Prevailing)
	}
	if len(o.versions) > 0 && p.Amendments.NoticeRule != "" {
		due, err := eng.Deadline(p.Amendments.NoticeRule, pub.EffectiveAt)
		if err != nil {
			return err
		}
		if now.After(due.At) {
			return ErrNoticeTooShort.Withf("publish by %s to take effect at %s (clause %s)", due.At.Format(time.RFC3339), pub.EffectiveAt.Format(time.RFC3339), due.Clause)
		}
	}
	texts := slices.Clone(pub.Texts)
	slices.SortFunc(texts, func(a, b Text) int { return strings.Compare(a.Language, b.Language) })
	o.record(VersionPublished{
		OfferID: o.id, Version: len(o.versions) + 1, Profile: p.Ref(), Texts: texts,
		Prevailing: pub.Prevailing, PublishedAt: now, EffectiveAt: pub.EffectiveAt,
	})
	return nil
}

// Withdraw withdraws version n at now, with the reason.
func (o *Offer) Withdraw(n int, reason string, now time.Time) error {
	v, ok := o.Version(n)
	if !ok {
		return ErrVersionUnknown.Withf("%s version %d", o.id, n)
	}
	if !v.WithdrawnAt.IsZero() {
		return ErrVersionWithdrawn.Withf("%s version %d already withdrawn", o.id, n)
	}
	if strings.TrimSpace(reason) == "" {
		return domain.ErrValidation.Withf("reason is required")
	}
	o.record(VersionWithdrawn{OfferID: o.id, Version: n, Reason: strings.TrimSpace(reason), WithdrawnAt: now})
	return nil
}

// SendAmendmentNotice records a notice of amended version n sent at now by
// channel, which the profile must name, to recipients ("all" or a party's
// stream id).
func (o *Offer) SendAmendmentNotice(n int, channel, recipients string, p *profile.Profile, now time.Time) error {
	v, ok := o.Version(n)
	switch {
	case !ok:
		return ErrVersionUnknown.Withf("%s version %d", o.id, n)
	case n == 1:
		return ErrNotAnAmendment
	case !v.WithdrawnAt.IsZero():
		return ErrVersionWithdrawn.Withf("%s version %d", o.id, n)
	case p.Ref() != v.Profile:
		return ErrProfileMismatch.Withf("version %d runs under %s", n, v.Profile)
	case !slices.Contains(p.Amendments.Channels, channel):
		return ErrChannel.Withf("%q (profile %s: %v)", channel, p.Ref(), p.Amendments.Channels)
	case strings.TrimSpace(recipients) == "":
		return domain.ErrValidation.Withf("recipients is required")
	}
	o.record(AmendmentNoticeSent{OfferID: o.id, Version: n, Channel: channel, Recipients: recipients, SentAt: now})
	return nil
}

func (o *Offer) record(p event.Payload) {
	o.Record(p)
	o.apply(p)
}

// Apply changes state by one stored event.
func (o *Offer) Apply(p event.Payload) { o.apply(p) }

func (o *Offer) apply(p event.Payload) {
	switch e := p.(type) {
	case VersionPublished:
		o.id = e.OfferID
		o.versions = append(o.versions, Version{
			OfferID: e.OfferID, Number: e.Version, Profile: e.Profile, Texts: e.Texts,
			Prevailing: e.Prevailing, PublishedAt: e.PublishedAt, EffectiveAt: e.EffectiveAt,
		})
	case VersionWithdrawn:
		if e.Version >= 1 && e.Version <= len(o.versions) {
			o.versions[e.Version-1].WithdrawnAt = e.WithdrawnAt
		}
	case AmendmentNoticeSent:
		if e.Version >= 1 && e.Version <= len(o.versions) {
			v := &o.versions[e.Version-1]
			v.Notices = append(v.Notices, Notice{Channel: e.Channel, Recipients: e.Recipients, SentAt: e.SentAt})
		}
	}
}

func validSlug(s string) bool {
	if s == "" || len(s) > 80 || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
