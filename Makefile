# docledger — two commands: `make run` and `make test`; `make stop` stops what they started.
# When DATABASE_URL is unset, both start a private PostgreSQL cluster first (scripts/db.sh: where
# it lives and why is written at its top); any failure of db.sh stops make with db.sh's message.
# When DATABASE_URL is set, that database is used and no private cluster is started.

GO ?= go
export PATH := $(PATH):/usr/local/go/bin
# The environment of the commands that need the database: the private cluster's URL, written by
# db.sh to .data/database_url, unless DATABASE_URL is set.
DB_ENV = $(if $(DATABASE_URL),DATABASE_URL='$(DATABASE_URL)',DATABASE_URL="$$(cat .data/database_url)")

.PHONY: run test db stop build vet fmt clean-data

build:
	$(GO) build -o bin/ ./cmd/...

# db starts (or reuses) the private cluster and prints DATABASE_URL=... (only that, on stdout).
db:
ifeq ($(DATABASE_URL),)
	@bash scripts/db.sh
else
	@echo "make: DATABASE_URL is set: using it, no private cluster" >&2
	@echo "DATABASE_URL=$(DATABASE_URL)"
endif

# ledgerd runs in the foreground; its pid is in .data/ledgerd.pid for make stop.
run: build db
	@env $(DB_ENV) ./bin/ledgerctl migrate
	@env $(DB_ENV) ./bin/ledgerctl demo
	@mkdir -p .data && echo $$$$ >.data/ledgerd.pid && exec env $(DB_ENV) LEDGER_HTTP_ADDR=$${LEDGER_HTTP_ADDR:-127.0.0.1:8080} ./bin/ledgerd

test: db
	@env $(DB_ENV) bash scripts/test.sh

# stop stops the ledgerd of make run and the private cluster (its data stays).
stop:
	@bash scripts/stop.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w $$(git ls-files '*.go')

# clean-data stops first and deletes the cluster's data only when the stop succeeded.
clean-data:
	@bash scripts/stop.sh --delete
