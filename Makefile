# The project's commands. Everything a target needs it installs itself
# (npm packages from the lockfile, Go modules, staticcheck), so a fresh clone
# needs only `make offline` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STAGE ?= dev
FN ?= hello
# Every module of the workspace, as package patterns.
PACKAGES := $(shell go list -m -f '{{.Dir}}/...')
# go test starts packages in the order given, -p at a time: the longest
# tests (e2e/, and tools/'s deploy rehearsal and route copy) first, so that
# the short ones fill in beside them rather than leave them the last.
TEST_PACKAGES := $(filter %/e2e/... %/tools/...,$(PACKAGES)) $(filter-out %/e2e/... %/tools/...,$(PACKAGES))
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
TTL ?= 1h
# The pinned CLI itself, as `npx --no-install serverless` runs it, without
# npx between make and it: a second less, and nothing in the way of make's
# signals.
SERVERLESS := node_modules/.bin/serverless
# Node.js 22 keeps what it compiled of the Serverless CLI and dynalite on disk
# (the module compile cache) for the next run: each of the CLI's runs, the
# gateway's packaging and the deploy's, takes about an eighth less CPU (1.07
# against 1.21 s for a packaging), and make test runs it about sixty times.
# Node 20 ignores it. The directory is
# the one module.enableCompileCache() takes by default; set NODE_COMPILE_CACHE
# to choose another, or NODE_DISABLE_COMPILE_CACHE=1 to turn it off.
export NODE_COMPILE_CACHE ?= $(or $(TMPDIR),/tmp)/node-compile-cache

.PHONY: help build test lint bench package deploy logs remove clean offline offline-build logs-offline token
.PHONY: smoke route rehearse

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# npm ci only when node_modules is missing or older than the lockfile or a
# patch of patches/ (applied by patch-package, the postinstall script). Node's
# version is checked here, in one line, rather than in npm's EBADENGINE
# warnings; package.json's allowScripts runs only the install scripts needed.
node_modules/.package-lock.json: package-lock.json $(wildcard patches/*.patch)
	@node -e 'const v = process.versions.node; if (+v.split(".")[0] < 22) console.error("make: Node.js " + v + " is older than the 22 this project asks for (package.json engines): it works, with warnings from the Serverless CLI; install Node.js 22 or newer")'
	@echo "npm ci: installing the pinned Serverless CLI, dynalite and wscat into node_modules (a minute or so on a fresh machine)"
	@# npm prints nothing while it installs: a line every 5 s says it has not hung.
	@shell=$$$$; (s=0; while sleep 5 && kill -0 $$shell 2>/dev/null; do s=$$((s + 5)); echo "npm ci: $$s s"; done) & \
	  ticker=$$!; npm ci --no-audit --no-fund --loglevel=error; status=$$?; kill $$ticker 2>/dev/null; exit $$status
	@touch $@

build: ## Build each function's arm64 bootstrap and bin/<fn>.zip (serverless package and deploy do it themselves)
	go run ./tools/lambdabuild

# go test links each package's test binary anew: -w leaves out the DWARF
# tables no test reads (a race report's files and lines come from the
# runtime's own tables), a quarter of each link.
test: build node_modules/.package-lock.json ## Run every module's tests (race detector on), the plugin's, and rehearse the deploy
	@command -v moto_server >/dev/null || echo "make test: moto_server is not on PATH, so the deploy rehearsal (make rehearse) is skipped: pip install 'moto[server]>=5,<6'"
	go test -race -count=1 -p 4 -ldflags=-w $(TEST_PACKAGES)
	node --test plugins/go-workspace/*.test.js

rehearse: node_modules/.package-lock.json ## Rehearse the deploy: serverless deploy, deploy function, info, logs and remove against moto on loopback
	cd tools && go test -count=1 -v -run 'TestRehearsal$$' ./rehearsal/

lint: ## gofmt, go vet and staticcheck over every module
	@out=$$(gofmt -l $$(go list -m -f '{{.Dir}}')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet $(PACKAGES)
	go run $(STATICCHECK) $(PACKAGES)

bench: build node_modules/.package-lock.json ## Handler cost, zip sizes, the offline gateway end to end (about 13 minutes)
	go test -run '^$$' -bench . -benchmem $(filter-out %/e2e/...,$(PACKAGES))
	@go run ./tools/lambdabuild
	cd e2e && go test -run '^$$' -bench 'OneClient|HundredClients' -benchtime 3000x .
	cd e2e && go test -run '^$$' -bench 'ColdStart' -benchtime 5x .
	cd e2e && go test -run '^$$' -bench 'TracingBackends' -benchtime 5x .
	cd e2e && go test -run '^$$' -bench 'IdleConnections' -benchtime 1x .
	cd e2e && go test -run '^$$' -bench 'FanOut' -benchtime 3x .
	cd e2e && go test -run '^$$' -bench 'SendToTen|RoomOfTen' -benchtime 300x .
	cd e2e && go test -run '^$$' -bench 'RoomBesideFlood' -benchtime 50x .
	cd e2e && go test -run '^$$' -bench 'RoomBroadcast' -benchtime 1x -timeout 30m .
	cd e2e && go test -run '^$$' -bench 'Startup' -benchtime 3x .
	cd e2e && go test -run '^$$' -bench 'Reload' -benchtime 3x .

# The framework's own commands: the project's plugin builds what they ship.
# TRACING picks the functions' tracing backend, serverless.yml's
# --param tracing (xray when not given).
TRACING_PARAM = $(if $(TRACING),--param tracing=$(TRACING))
package: node_modules/.package-lock.json ## serverless package --stage STAGE into .serverless/ (STAGE defaults to dev; TRACING=otel for OpenTelemetry)
	$(SERVERLESS) package --stage $(STAGE) $(TRACING_PARAM)

deploy: node_modules/.package-lock.json ## serverless deploy --stage STAGE (make deploy STAGE=prod; AWS credentials; with FN=hello, deploy function -f hello; TRACING=otel for OpenTelemetry)
	$(SERVERLESS) deploy $(if $(filter command line,$(origin FN)),function -f $(FN)) --stage $(STAGE) $(TRACING_PARAM)

logs: node_modules/.package-lock.json ## Follow one deployed function's logs (make logs FN=hello STAGE=prod)
	$(SERVERLESS) logs -f $(FN) --stage $(STAGE) $(ARGS)

remove: node_modules/.package-lock.json ## Delete the stage's stack from AWS (make remove STAGE=prod)
	$(SERVERLESS) remove --stage $(STAGE)

# The region of serverless.yml's default; `make smoke` reads the stage's
# endpoint and signing secret there.
REGION ?= ap-northeast-1

smoke: ## Check a live API step by step: make smoke STAGE=prod (AWS credentials), or make smoke URL=wss://… TOKEN=…
ifneq ($(URL),)
	@go run ./tools/smoke -url '$(URL)' $(if $(TOKEN),-token '$(TOKEN)')
else
	@$(MAKE) -s node_modules/.package-lock.json
	@secret=$$(aws ssm get-parameter --region $(REGION) --with-decryption \
	  --name /go-websocket-api/$(STAGE)/token-secret --query Parameter.Value --output text); \
	$(SERVERLESS) info --stage $(STAGE) --region $(REGION) | TOKEN_SECRET="$$secret" go run ./tools/smoke -serverless-info -
endif

offline-build: node_modules/.package-lock.json ## Build the offline gateway and the functions' host bootstraps into .offline/ (serverless offline --build-only)
	$(SERVERLESS) offline --build-only

offline: node_modules/.package-lock.json ## serverless offline: the API here at ws://localhost:3001 (make offline ARGS="--port 4000 --data .offline/db"; TRACING=otel for OpenTelemetry)
	exec $(SERVERLESS) offline $(TRACING_PARAM) $(ARGS)

token: ## Print a token for the offline API (make token USER=taro TTL=1h, ROOMS=lobby,ops to allow only those rooms)
# make takes USER from the environment, where it is the login name: a token
# must be for a user named on purpose.
ifneq ($(origin USER),command line)
	@echo "make token: name the API user on the command line, e.g. make token USER=taro (without it make would take USER from your environment, where it is your login name)" >&2; exit 2
endif
	@go run ./tools/token -offline serverless.yml -user '$(USER)' -ttl $(TTL) $(if $(ROOMS),-rooms '$(ROOMS)')

route: ## Add a route: its module, function, role and stack-check entry (make route NAME=quote)
	@go run ./tools/route -name '$(NAME)'

logs-offline: ## Follow one function's offline log (make logs-offline FN=hello)
	@test -f .offline/logs/$(FN).log || { echo "no log for $(FN) yet: run make offline and send it a message"; exit 1; }
	tail -n 50 -F .offline/logs/$(FN).log

clean: ## Remove build output
	rm -rf bin .serverless .offline
