// Package httpapi serves the registry over HTTP: the JSON API v1 and the
// server-rendered consumer pages that label QR codes open. It is the only
// package that knows HTTP. Handlers return errors; one adapter turns them into
// JSON errors with stable codes and HTTP statuses.
package httpapi
