#!/usr/bin/env bash
# The main job end to end on a local emulator: validate, plan, apply, prove a second plan is
# empty, check drift, then destroy and prove nothing is left. Used by `make demo` (moto, started
# here) and `make dev` (LocalStack from docker compose, via AWS_ENDPOINT_URL).
#
#   localstack/demo.sh [SPEC] [SUFFIX]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
spec=${1:-examples/webhook.yaml}
suffix=${2:-demo}
bin=${PROVISIONER_BIN:-$root/bin/provisioner}

# Bold step titles on a terminal only; a file or pipe (or NO_COLOR, https://no-color.org) gets
# plain text. The provisioner makes the same choice for its own output.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  AWS_ENDPOINT_URL=$(bash localstack/emulator.sh start)
fi
export AWS_ENDPOINT_URL
# The demo only ever talks to an emulator: never read a developer's real credentials.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${AWS_REGION:-us-east-1}
unset AWS_PROFILE AWS_SESSION_TOKEN

step "emulator: $AWS_ENDPOINT_URL"
step "validate every example"
for f in examples/*.yaml; do "$bin" validate "$f"; done

step "plan $spec (suffix $suffix)"
"$bin" plan "$spec" --suffix "$suffix"

step "apply"
"$bin" apply "$spec" --suffix "$suffix"

step "where things are"
"$bin" list --suffix "$suffix" "$spec"

# On LocalStack the stage is served at the emulator's own address, not at the AWS URL list
# prints: /_aws/execute-api/<api id>/<stage> (or http://<api id>.execute-api.localhost.localstack.cloud:4566/<stage>).
if curl -fsS -m 2 -o /dev/null "$AWS_ENDPOINT_URL/_localstack/health" 2>/dev/null; then
  "$bin" list --suffix "$suffix" "$spec" -o json | python3 -c '
import json, re, sys
ep = sys.argv[1].rstrip("/")
for r in json.load(sys.stdin).get("resources", []):
    m = re.match(r"https://([^.]+)\.execute-api\.[^/]+/(.+)$", r.get("attributes", {}).get("url", ""))
    if m:
        addr = r["address"]
        print(f"invoke URL on LocalStack ({addr}): {ep}/_aws/execute-api/{m[1]}/{m[2]}")
' "$AWS_ENDPOINT_URL"
fi

step "plan again: expect no changes (exit 0 with --detailed-exitcode)"
"$bin" plan "$spec" --suffix "$suffix" --detailed-exitcode

step "drift check: expect none (read-only)"
"$bin" drift "$spec" --suffix "$suffix"

step "destroy everything tagged with suffix $suffix"
"$bin" destroy --suffix "$suffix" --yes

step "done"
echo "The emulator keeps running at $AWS_ENDPOINT_URL (stop it with: localstack/emulator.sh stop)."
echo "The binary is $bin; the example specs are in examples/; docs in docs/."
