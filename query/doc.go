// Package query holds the answers of docledger's read models: the shapes
// the projections return and the edge (the HTTP API, the cabinet,
// ledgerctl) serves. Declaring them here lets the edge describe the queries
// it needs as ports, which package projections implements, without the edge
// knowing read-model tables, SQL or pgx.
package query
