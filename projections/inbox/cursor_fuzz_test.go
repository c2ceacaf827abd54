package inbox

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzCursor checks that any cursor string either decodes to a position that
// encodes back to the same cursor, or is refused with ErrBadCursor.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor(time.Date(2026, 3, 2, 10, 0, 0, 123, time.UTC), uuid.MustParse("0192f1d2-7c4e-7a35-9b1a-6f2c8e4d1a10")))
	f.Add("zz")
	f.Add("")
	f.Add("MjAyNi0wMy0wMlQxMDowMDowMFp8bm90LWEtdXVpZA")
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := decodeCursor(c)
		if err != nil {
			if err != ErrBadCursor {
				t.Fatalf("error %v, want ErrBadCursor", err)
			}
			return
		}
		at2, id2, err := decodeCursor(encodeCursor(at, id))
		if err != nil || !at2.Equal(at) || id2 != id {
			t.Fatalf("cursor %q does not round-trip: %v %v %v", c, at2, id2, err)
		}
	})
}
