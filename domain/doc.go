// Package domain holds what is common to docledger's aggregates: the typed
// domain error every rule violation returns, and the clock that injects
// business time. The aggregates themselves live in sub-packages (document, ...)
// and import nothing but the standard library and google/uuid.
package domain
