package httpapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

type strictInner struct {
	Version int `json:"version"`
}

type strictBase struct {
	ID string `json:"id"`
}

type strictOuter struct {
	strictBase
	Name    string                 `json:"name"`
	Accept  *strictInner           `json:"accept"`
	Items   []strictInner          `json:"items"`
	ByKey   map[string]strictInner `json:"by_key"`
	Raw     json.RawMessage        `json:"raw"`
	Ignored string                 `json:"-"`
	Plain   string
}

func TestCheckFieldNames(t *testing.T) {
	typ := reflect.TypeOf(&strictOuter{})
	ok := []string{
		`{"id":"a","name":"b","accept":{"version":1},"items":[{"version":2}],"by_key":{"Any":{"version":3}},"raw":{"Whatever":1},"Plain":"p"}`,
		`{}`, `{"accept":null}`,
	}
	for _, body := range ok {
		if err := checkFieldNames([]byte(body), typ, ""); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
	bad := map[string]string{
		`{"ID":"a"}`:               "ID",
		`{"Name":"b"}`:             "Name",
		`{"accept":{"Version":1}}`: "accept.Version",
		`{"items":[{"version":1},{"vErsion":2}]}`: "items.1.vErsion",
		`{"by_key":{"k":{"VERSION":3}}}`:          "by_key.k.VERSION",
		`{"Ignored":"x"}`:                         "Ignored",
		`{"plain":"p"}`:                           "plain",
	}
	for body, path := range bad {
		var u unknownFieldError
		if err := checkFieldNames([]byte(body), typ, ""); !errors.As(err, &u) || u.path != path {
			t.Errorf("%s: %v, want unknown field %q", body, err, path)
		}
	}
}
