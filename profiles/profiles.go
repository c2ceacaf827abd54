// Package profiles embeds the policy profile of every operator docledger
// serves, one versioned JSON file per operator and version
// (<id>.v<version>.json), and loads them into a validated catalog. The
// format and the rules are described in docs/profiles.md; the Go types and
// the validation are in docledger/domain/profile.
package profiles

import (
	"embed"
	"io/fs"

	"docledger/domain/profile"
)

//go:embed *.json
var files embed.FS

// Files returns the embedded profile files by name.
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[n] = b
	}
	return out, nil
}

// Catalog validates and loads every embedded profile.
func Catalog() (*profile.Catalog, error) {
	fsys, err := Files()
	if err != nil {
		return nil, err
	}
	return profile.NewCatalog(fsys)
}
