# GSP Sync. `make demo` runs the main job end to end; `make test` runs every test.
# Both install what they need first (Debian packages, through sudo when not root).
SWIFT ?= swift
SWIFT_FLAGS ?=
# The team's shared data sets: ../shared/data beside a clone, ../../shared/data beside a worktree.
export GSP_SHARED_DATA ?= $(abspath $(firstword $(wildcard ../shared/data ../../shared/data) ../shared/data))

.PHONY: all deps build release test test-swift test-conformance demo bench bench-quick fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

# Everything: Swift tests (with a throwaway PostgreSQL) and the independent protocol checker.
test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	scripts/with-postgres.sh $(SWIFT) test --skip-build $(SWIFT_FLAGS)
	$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/gsp-bench --quick --results "$$(mktemp -d)" >/dev/null
	@echo "demo smoke run (debug build, 200 generated deals)"
	GSP_BIN=$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS)) DEMO_DEALS=200 scripts/demo.sh >/dev/null
	$(MAKE) --no-print-directory test-conformance

test-conformance:
	@if [ -f protocol/conformance/check.py ]; then python3 protocol/conformance/check.py protocol/vectors; fi

demo: deps release
	scripts/demo.sh

bench: deps release
	scripts/bench.sh

bench-quick: deps release
	scripts/bench.sh --quick

fuzz: deps
	scripts/fuzz.sh

clean:
	rm -rf .build
