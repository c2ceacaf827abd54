# docledger — two commands: `make run` and `make test`.
# When DATABASE_URL is unset, both start a private PostgreSQL cluster in ./.data (scripts/db.sh).

GO ?= go
export PATH := $(PATH):/usr/local/go/bin
DB_ENV = $(if $(DATABASE_URL),DATABASE_URL=$(DATABASE_URL),$$(bash scripts/db.sh | tail -n 1))

.PHONY: run test db build vet fmt bench fuzz clean-data

build:
	$(GO) build -o bin/ ./cmd/...

db:
	@bash scripts/db.sh | tail -n 1

run: build
	@env $(DB_ENV) ./bin/ledgerctl migrate
	@env $(DB_ENV) ./bin/ledgerctl demo
	@env $(DB_ENV) LEDGER_HTTP_ADDR=$${LEDGER_HTTP_ADDR:-127.0.0.1:8080} ./bin/ledgerd

test:
	@env $(DB_ENV) bash scripts/test.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w $$(git ls-files '*.go')

clean-data:
	-runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D .data/pg stop -m fast
	rm -rf .data
