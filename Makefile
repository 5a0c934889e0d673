# boutique-seckill — every entry point a newcomer or CI needs.
# The two set-up commands: `make run` (stack + all services, seeded catalog) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_STAMP := node_modules/.deps-stamp

.PHONY: help deps build gen gen-check typecheck config-doc \
        stack-up stack-down stack-status stack-reset stack-cluster stack-topics \
        run seed stop logs smoke ledger sale fuzz chaos install-chromium test-browser bench-inventory bench-checkout bench-persist stock-reconcile grpcurl helm chart-check k8s image test test-unit test-integration clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_STAMP) ## install npm dependencies from the lockfile

build: deps ## compile TypeScript to dist/
	npx tsc -p tsconfig.build.json

gen: deps ## regenerate src/gen from protos/
	bash scripts/gen-proto.sh

gen-check: deps ## fail when src/gen is stale
	bash scripts/gen-proto.sh --check

typecheck: deps ## strict type check of src, test, bench
	npx tsc -p tsconfig.json --noEmit

config-doc: deps ## regenerate the README's config table from src/platform/config-schema.ts
	npx tsx scripts/config-doc.ts --write

stack-up: ## install (if missing) and start Redis, MariaDB, RocketMQ on loopback
	bash scripts/stack.sh up

stack-cluster: ## also start the local 3-master Redis Cluster
	bash scripts/stack.sh up --cluster

stack-down: ## stop everything the stack script started
	bash scripts/stack.sh down

stack-status: ## one line per component
	bash scripts/stack.sh status --cluster

stack-reset: ## stop and delete all local data (keeps downloads)
	bash scripts/stack.sh reset

stack-topics: ## (re)create RocketMQ topics and groups
	bash scripts/stack.sh topics

run: stack-up build seed ## start the stack, every service and the HTTP gateway (background), seeded catalog
	bash scripts/services.sh start all gateway

seed: stack-up deps ## load the 9 upstream products + flash-sale items into MySQL, warm stock into Redis (idempotent; SEED_ARGS=--reset)
	npx tsx scripts/seed.ts $(SEED_ARGS)

stop: ## stop the services started by `make run`
	bash scripts/services.sh stop

logs: ## follow the services' log
	tail -F .stack/services/services.log

smoke: deps ## check every service answers gRPC health SERVING (and the gateway /readyz)
	npx tsx scripts/smoke.ts all gateway

test: stack-cluster deps ## everything: checks, unit and integration tests (ends with "N passed, N failed")
	bash scripts/test.sh

test-unit: deps
	npx mocha --config .mocharc.json

test-integration: stack-up deps
	npx mocha --config .mocharc.integration.json

ledger: deps ## check every invariant of the stock/order ledger (Redis, MySQL, backlogs); exit 1 on a breach (LEDGER_ARGS=--json / --wait-drain <ms> / --sku <id>)
	npx tsx scripts/ledger.ts $(LEDGER_ARGS)

sale: stack-up deps ## flash sale end to end against `make run` (own checkout, short payment window) + ledger verdict; rewrites BENCHMARKS "sale" (SALE_ARGS=--quick)
	npx tsx bench/sale/main.ts $(SALE_ARGS)

fuzz: stack-up deps ## hostile input: FUZZ_CASES (default 10000) seeded cases per public RPC against `main all` (FUZZ_SEED replays)
	npx mocha --config .mocharc.fuzz.json

chaos: deps ## fault injection: kill -9 Redis, RocketMQ, MariaDB, order, productcatalog during a sale; ledger must stay clean (isolated stack .stack/chaos, ports +1000)
	npx mocha --config .mocharc.chaos.json

install-chromium: ## install Debian's chromium for the browser tests (apt, root) and print its path
	bash scripts/install-chromium.sh

test-browser: stack-up deps ## sale page + operator dashboard in headless chromium; screenshots in test-artifacts/
	bash scripts/install-chromium.sh
	npx mocha --config .mocharc.browser.json

bench-inventory: stack-up deps ## Reserve over gRPC vs raw Lua ceiling vs naive MySQL; rewrites its BENCHMARKS.md section (BENCH_ARGS=--quick)
	npx tsx bench/inventory/main.ts $(BENCH_ARGS)

bench-checkout: stack-up deps ## PlaceOrder and Buy under ghz at fixed concurrency vs a no-I/O gRPC floor; rewrites its BENCHMARKS.md section (BENCH_ARGS=--quick)
	bash scripts/install-ghz.sh >/dev/null
	npx tsx bench/checkout/main.ts $(BENCH_ARGS)

bench-persist: stack-up deps ## batch order consumer vs one row per transaction, and Reserve → row lag; rewrites its BENCHMARKS.md section (BENCH_ARGS=--quick)
	npx tsx bench/persist/main.ts $(BENCH_ARGS)

stock-reconcile: deps ## one item's Redis vs MySQL stock and dead stock entries; APPLY=1 re-drives them (RESOLVE=1: accept as lost) (SKU=<id>)
	npx tsx scripts/stock-reconcile.ts --sku $(SKU) $(if $(APPLY),--apply) $(if $(RESOLVE),--resolve)

grpcurl: ## build grpcurl from the Go module proxy into .stack/bin
	bash scripts/install-grpcurl.sh

helm: ## build helm v3 from the Go module proxy into .stack/bin (cold: several minutes)
	bash scripts/install-helm.sh

chart-check: deps ## helm lint --strict + template for every value set (k8s 1.29), k8s/ freshness, chart tests
	bash scripts/chart-check.sh

k8s: ## re-render k8s/ from the Helm chart
	bash scripts/render-k8s.sh

image: ## build the one service image (needs docker)
	docker build -t boutique-seckill:$$(node -p "require('./package.json').version") .

clean: ## remove build output
	rm -rf dist
