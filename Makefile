# iotlabel — `make test` runs every check CI runs; `make run` assesses a shipped example.
SHELL := bash
# staticcheck by its Go module version (v0.6.1 is release 2025.1.1): the module
# proxy refuses release names. `go run` fetches and caches it, nothing is installed.
STATICCHECK := go run honnef.co/go/tools/cmd/staticcheck@v0.6.1

.PHONY: test lint run build bench fuzz

## test: lint, then every unit, integration and CLI test; ends with a count of
## passed, failed and skipped tests and the reason for every skip
test: lint
	set -o pipefail; go test -count=1 -json ./... | go run ./internal/testsummary

## lint: gofmt, go vet, staticcheck, and go.mod/go.sum as `go mod tidy` writes them
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	@go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	go vet ./...
	$(STATICCHECK) ./...

## build: the iotlabel binary in ./bin
build:
	go build -o bin/iotlabel ./cmd/iotlabel

## run: assess the shipped router example on the built-in catalog
run:
	go run ./cmd/iotlabel assess examples/router-tier2/declaration.yaml

## bench: Go benchmarks and the CLI wall-time script
bench:
	go test -run XXX -bench . -benchmem ./catalog ./assess
	bash bench/assess.sh
	bash bench/vuln.sh
	bash bench/sbom-memory.sh

## fuzz: a short run of every fuzzer (new crashers land in testdata/fuzz)
fuzz:
	go test -run XXX -fuzz FuzzParse -fuzztime 30s ./declaration
	go test -run XXX -fuzz FuzzRead -fuzztime 30s ./evidence
	go test -run XXX -fuzz FuzzItemEncoding -fuzztime 30s ./evidence
	go test -run XXX -fuzz FuzzParse -fuzztime 30s ./fingerprint
	go test -run XXX -fuzz FuzzParseVendorCredentials -fuzztime 30s ./probe
	go test -run XXX -fuzz FuzzCanonicalString -fuzztime 30s ./assess
	go test -run XXX -fuzz '^FuzzParse$$' -fuzztime 30s ./vuln
	go test -run XXX -fuzz '^FuzzMentions$$' -fuzztime 30s ./vuln
	go test -run XXX -fuzz '^FuzzParse$$' -fuzztime 30s ./sbom
	go test -run XXX -fuzz '^FuzzEach$$' -fuzztime 30s ./sbom
	go test -run XXX -fuzz FuzzOpen -fuzztime 30s ./attest
	go test -run XXX -fuzz FuzzTrustParse -fuzztime 30s ./attest
	go test -run XXX -fuzz FuzzVerifyCompact -fuzztime 30s ./label
	for f in FuzzUnpack FuzzParseAccount FuzzPEMKey; do \
		go test -run XXX -fuzz "^$$f$$" -fuzztime 30s ./firmware || exit 1; \
	done
	for f in FuzzParseTargets FuzzParseCoAP FuzzAuthParams FuzzTelnetFeed; do \
		go test -run XXX -fuzz "^$$f$$" -fuzztime 30s ./probe || exit 1; \
	done
