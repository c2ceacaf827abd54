package commands

import (
	"context"
	"errors"
	"time"

	"docledger/domain/offer"
)

// SendAmendmentNotice records a notice of an amended offer version sent by
// a channel its profile names ("site", "email", ...) to "all" or one
// party's stream id.
type SendAmendmentNotice struct {
	OfferID    string `json:"offer_id"`
	Version    int    `json:"version"`
	Channel    string `json:"channel"`
	Recipients string `json:"recipients"`
}

// AggregateID is the offer's ID.
func (c SendAmendmentNotice) AggregateID() string { return c.OfferID }

// SendAmendmentNoticeHandler handles SendAmendmentNotice.
type SendAmendmentNoticeHandler struct{ e *partyEnv }

// NewSendAmendmentNoticeHandler returns the handler.
func NewSendAmendmentNoticeHandler(e *partyEnv) (*SendAmendmentNoticeHandler, error) {
	if e == nil {
		return nil, errors.New("send amendment notice: nil dependencies")
	}
	return &SendAmendmentNoticeHandler{e: e}, nil
}

// Handle records the notice under the profile of the version.
func (h *SendAmendmentNoticeHandler) Handle(ctx context.Context, meta Meta, cmd *SendAmendmentNotice) (Result, error) {
	return h.e.offers.Update(ctx, meta, cmd.AggregateID(), func(o offerStream, now time.Time) error {
		v, ok := o.Offer.Version(cmd.Version)
		if !ok {
			return offer.ErrVersionUnknown.Withf("%s version %d", cmd.OfferID, cmd.Version)
		}
		prof, err := h.e.profiles.Get(v.Profile)
		if err != nil {
			return err
		}
		return o.SendAmendmentNotice(cmd.Version, cmd.Channel, cmd.Recipients, prof, now)
	})
}
