#!/bin/sh
# Writes cdk.template.json, the template the offline gateway's tests serve,
# with the CDK CLI and library pinned in package-lock.json.
set -e
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx --no-install cdk synth --quiet HelloStack
cp cdk.out/HelloStack.template.json cdk.template.json
# The CLI's project templates hold Go files that gofmt cannot read.
rm -rf node_modules cdk.out
