GO ?= go
PKGS := ./...

.PHONY: all build test race bench fuzz demo lint vet fmt proto soak

all: build test

build:
	$(GO) build $(PKGS)

# The test command: vet, then every test with the race detector.
test: vet
	$(GO) test -race -count=1 $(PKGS)

race: test

vet:
	$(GO) vet $(PKGS)

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

demo:
	$(GO) run ./cmd/parley demo

# The soak harness at full size (docs/soak.md): each platform's echo bot
# against its simulator under dropped connections, SIGKILLs, restarts
# without a store and bad frames, one platform at a time, without the race
# detector. SOAK_DURATION=10m repeats rounds until it passed.
SOAK_DURATION ?=
SOAK_PKGS ?= ./platform/simplex ./platform/privitty ./platform/olvid ./platform/tada ./platform/virola
soak:
	PARLEY_SOAK=full PARLEY_SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -p 1 -timeout 0 -v -run '^TestSoak$$' $(SOAK_PKGS)

# Regenerates the Olvid daemon's gRPC code from platform/olvid/proto with
# pinned generators. Needs protoc; the generated files are committed, so
# building and testing do not.
PROTOC_GEN_GO_VERSION ?= v1.36.12
PROTOC_GEN_GO_GRPC_VERSION ?= v1.5.1
OLVID_PROTO := platform/olvid/proto
proto:
	$(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	$(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	rm -f platform/olvid/olvidpb/*.pb.go
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" protoc -I $(OLVID_PROTO) \
		--go_out=. --go_opt=module=github.com/parleybot/parley \
		--go-grpc_out=. --go-grpc_opt=module=github.com/parleybot/parley \
		$$(cd $(OLVID_PROTO) && find olvid -name '*.proto' | sort)
