# iotlabel — `make test` runs every check CI runs; `make run` assesses a shipped example.
STATICCHECK_VERSION := 2025.1.1
GOBIN := $(shell go env GOPATH)/bin

.PHONY: test lint run bench fuzz

## test: lint, then every unit, integration and CLI test (installs staticcheck if missing)
test: lint
	go test -count=1 ./...

## lint: gofmt, go vet and staticcheck
lint:
	@test -x "$(GOBIN)/staticcheck" || go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	go vet ./...
	"$(GOBIN)/staticcheck" ./...

## run: assess the shipped router example on the built-in catalog
run:
	go run ./cmd/iotlabel assess examples/router-tier2/declaration.yaml

## bench: Go benchmarks and the CLI wall-time script
bench:
	go test -run XXX -bench . -benchmem ./catalog ./assess
	bash bench/assess.sh
	bash bench/vuln.sh

## fuzz: a short run of every fuzzer (new crashers land in testdata/fuzz)
fuzz:
	go test -run XXX -fuzz FuzzParse -fuzztime 30s ./declaration
	go test -run XXX -fuzz FuzzRead -fuzztime 30s ./evidence
	go test -run XXX -fuzz FuzzCanonicalString -fuzztime 30s ./assess
	go test -run XXX -fuzz FuzzParse -fuzztime 30s ./vuln
	go test -run XXX -fuzz FuzzParse -fuzztime 30s ./sbom
	for f in FuzzParseTargets FuzzParseCoAP FuzzAuthParams FuzzTelnetFeed; do \
		go test -run XXX -fuzz "^$$f$$" -fuzztime 30s ./probe || exit 1; \
	done
