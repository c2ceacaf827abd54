package query

import "docledger/domain"

// Expected answers of the read models' queries, as domain errors whose kind
// tells the edge how to answer.
var (
	// ErrPartyNotFound: the model does not know the party (or has not
	// applied its registration yet).
	ErrPartyNotFound = domain.NewErrorOf(domain.NotFound, "party_not_found", "no such party (or not projected yet)")
	// ErrOfferNotFound: the model does not know the offer (yet).
	ErrOfferNotFound = domain.NewErrorOf(domain.NotFound, "offer_not_found", "no such offer (or not projected yet)")
	// ErrDocumentNotFound: the model does not know the document (or has
	// not applied its registration yet).
	ErrDocumentNotFound = domain.NewErrorOf(domain.NotFound, "document_not_found", "no such document (or not projected yet)")
	// ErrBadCursor: a page cursor this API did not issue.
	ErrBadCursor = domain.NewErrorOf(domain.Malformed, "invalid_cursor", "the cursor was not issued by this API")
	// ErrRange: a time range whose start is not before its end.
	ErrRange = domain.NewErrorOf(domain.Malformed, "invalid_time", "from must be before before")
)
