package bus

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"docledger/commands"
)

func TestMetaTravelsInMetadata(t *testing.T) {
	v := int64(4)
	for _, meta := range []commands.Meta{
		{},
		{CommandID: "c-1", Actor: "user:IIN900101300123", CorrelationID: "r-1", CausationID: "e-1"},
		{CommandID: "c-2", ExpectedVersion: &v},
	} {
		msg := message.NewMessage("m", nil)
		encodeMeta(meta, msg)
		got, err := decodeMeta(msg)
		if err != nil || !reflect.DeepEqual(got, meta) {
			t.Fatalf("decoded %+v, %v; want %+v", got, err, meta)
		}
	}
	// The fingerprint is the handler side's: it never travels.
	msg := message.NewMessage("m", nil)
	encodeMeta(commands.Meta{RequestSHA256: []byte{1}}, msg)
	if got, _ := decodeMeta(msg); got.RequestSHA256 != nil {
		t.Fatalf("the fingerprint travelled: %x", got.RequestSHA256)
	}
	msg.Metadata.Set(metaExpected, "four")
	if _, err := decodeMeta(msg); !errors.Is(err, commands.ErrWrongVersion) {
		t.Fatalf("unreadable expected version: %v", err)
	}
}
