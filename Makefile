# The project's commands. Everything a target needs it installs itself
# (npm packages from the lockfile, Go modules, staticcheck), so a fresh clone
# needs only `make offline` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STAGE ?= dev
FN ?= hello
# Functions come from serverless.yml: one per `artifact: bin/<fn>.zip`.
FUNCTIONS := $(shell sed -n 's|^ *artifact: bin/\(.*\)\.zip *$$|\1|p' serverless.yml)
# Every module of the workspace, as package patterns.
PACKAGES := $(shell go list -m -f '{{.Dir}}/...')
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Offline only: the secret the local authorizer checks tokens with. Deployed,
# the secret lives in SSM Parameter Store and never in this repository.
DEV_TOKEN_SECRET := offline-development-secret-not-for-deployment
TTL ?= 1h
SERVERLESS := npx --no-install serverless
# grpcnotrace drops grpc's unused tracing (pulled in by the X-Ray SDK): 0.3 MB a zip.
LAMBDA_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc,grpcnotrace -trimpath -ldflags='-s -w'

.PHONY: help build test lint bench package deploy logs remove clean offline offline-build logs-offline token
.PHONY: smoke route FORCE

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# npm ci only when node_modules is missing or older than the lockfile or a
# patch of patches/ (applied by patch-package, the postinstall script).
node_modules/.package-lock.json: package-lock.json $(wildcard patches/*.patch)
	npm ci --no-audit --no-fund
	@touch $@

build: ## Build each function's arm64 bootstrap and bin/<fn>.zip
	@for fn in $(FUNCTIONS); do \
	  (cd $$fn && $(LAMBDA_BUILD) -o ../bin/$$fn/bootstrap .); \
	  go run ./tools/lambdazip -o bin/$$fn.zip bin/$$fn/bootstrap; \
	  echo "bin/$$fn.zip  $$(stat -c %s bin/$$fn.zip) bytes"; \
	done

test: build node_modules/.package-lock.json ## Run every module's tests (race detector on) and check the CloudFormation
	go test -race -count=1 $(PACKAGES)

lint: ## gofmt, go vet and staticcheck over every module
	@out=$$(gofmt -l $$(go list -m -f '{{.Dir}}')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet $(PACKAGES)
	go run $(STATICCHECK) $(PACKAGES)

bench: build node_modules/.package-lock.json ## Handler cost, zip sizes, the offline gateway end to end (about 13 minutes)
	go test -run '^$$' -bench . -benchmem $(filter-out %/offline/...,$(PACKAGES)) ./offline/internal/...
	@for fn in $(FUNCTIONS); do echo "bin/$$fn.zip  $$(stat -c %s bin/$$fn.zip) bytes"; done
	cd offline && go test -run '^$$' -bench 'OneClient|HundredClients' -benchtime 3000x .
	cd offline && go test -run '^$$' -bench 'ColdStart' -benchtime 5x .
	cd offline && go test -run '^$$' -bench 'IdleConnections' -benchtime 1x .
	cd offline && go test -run '^$$' -bench 'FanOut' -benchtime 3x .
	cd offline && go test -run '^$$' -bench 'SendToTen|RoomOfTen' -benchtime 300x .
	cd offline && go test -run '^$$' -bench 'RoomBesideFlood' -benchtime 50x .
	cd offline && go test -run '^$$' -bench 'RoomBroadcast' -benchtime 1x -timeout 30m .
	cd offline && go test -run '^$$' -bench 'Startup' -benchtime 3x .
	cd offline && go test -run '^$$' -bench 'Reload' -benchtime 3x .

package: build node_modules/.package-lock.json ## serverless package into .serverless/ (make package STAGE=prod; STAGE defaults to dev)
	$(SERVERLESS) package --stage $(STAGE)

deploy: build node_modules/.package-lock.json ## serverless deploy (make deploy STAGE=prod; AWS credentials)
	$(SERVERLESS) deploy --stage $(STAGE)

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

# The gateway builds the functions' host bootstraps itself (its -build,
# once it listens: a second `make offline` fails on the port before building
# anything under the first), and the zips `serverless package` needs that are
# missing: this only builds the gateway.
.offline/gateway: FORCE
	go build -o .offline/gateway ./offline

offline-build: .offline/gateway ## Build the offline gateway and the functions' host bootstraps into .offline/
	.offline/gateway -build-only

offline: .offline/gateway node_modules/.package-lock.json ## Run the API here: ws://localhost:3001 (flags: make offline ARGS="-port 4000 -data .offline/db")
	exec .offline/gateway -build -env TOKEN_SECRET=$(DEV_TOKEN_SECRET) $(ARGS)

token: ## Print a token for the offline API (make token USER=taro TTL=1h, ROOMS=lobby,ops to allow only those rooms)
# make takes USER from the environment, where it is the login name: a token
# must be for a user named on purpose.
ifneq ($(origin USER),command line)
	@echo "make token: name the API user on the command line, e.g. make token USER=taro (without it make would take USER from your environment, where it is your login name)" >&2; exit 2
endif
	@TOKEN_SECRET=$(DEV_TOKEN_SECRET) go run ./tools/token -user '$(USER)' -ttl $(TTL) $(if $(ROOMS),-rooms '$(ROOMS)')

route: ## Add a route: its module, function, role and stack-check entry (make route NAME=quote)
	@go run ./tools/route -name '$(NAME)'

logs-offline: ## Follow one function's offline log (make logs-offline FN=hello)
	@test -f .offline/logs/$(FN).log || { echo "no log for $(FN) yet: run make offline and send it a message"; exit 1; }
	tail -n 50 -F .offline/logs/$(FN).log

clean: ## Remove build output
	rm -rf bin .serverless .offline
