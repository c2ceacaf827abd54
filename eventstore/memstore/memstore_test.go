package memstore_test

import (
	"testing"

	"docledger/eventstore/memstore"
	"docledger/eventstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return memstore.New(nil) })
}
