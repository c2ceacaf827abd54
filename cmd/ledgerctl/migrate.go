package main

import (
	"context"
	"fmt"
	"io"

	"docledger/cmd/internal/app"
	"docledger/migrations"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	dsn, err := app.DatabaseURL()
	if err != nil {
		return fail(stderr, err)
	}
	applied, err := migrations.Apply(ctx, dsn)
	if err != nil {
		return fail(stderr, err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "migrations: up to date")
	}
	for _, v := range applied {
		fmt.Fprintf(stdout, "migrations: applied %05d\n", v)
	}
	return 0
}
