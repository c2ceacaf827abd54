package main

import "net/url"

// replaceDatabase returns dsn (a URL) naming database name instead.
func replaceDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}
