package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// unknownFieldError names a member of the body that the target does not have.
type unknownFieldError struct{ path string }

func (e unknownFieldError) Error() string { return fmt.Sprintf("unknown field %q", e.path) }

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// checkFieldNames refuses object members whose names are not exactly a
// field's JSON name in t. encoding/json matches names case-insensitively
// ("tiTle" fills Title) and DisallowUnknownFields does not catch that; a
// strict API takes only the names it documents. data is valid JSON.
func checkFieldNames(data []byte, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil // not an object: the decoder reports the type error
		}
		fields := jsonFields(t)
		for name, value := range obj {
			ft, ok := fields[name]
			if !ok {
				return unknownFieldError{path + name}
			}
			if err := checkFieldNames(value, ft, path+name+"."); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return nil
		}
		for i, item := range items {
			if err := checkFieldNames(item, t.Elem(), fmt.Sprintf("%s%d.", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil
		}
		for key, value := range obj {
			if err := checkFieldNames(value, t.Elem(), path+key+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's fields (embedded structs flattened)
// to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, typ := range jsonFields(ft) {
					fields[n] = typ
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// isJSONNull reports whether data is the JSON null.
func isJSONNull(data []byte) bool { return bytes.Equal(bytes.TrimSpace(data), []byte("null")) }
