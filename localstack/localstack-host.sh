#!/usr/bin/env bash
# LocalStack 4.14.0 in host mode, for machines without a Docker engine (CI here). As root.
#
#   localstack/localstack-host.sh start     start LocalStack in a loopback-only network namespace, wait until ready
#   localstack/localstack-host.sh stop      stop it by process id (SIGTERM, then SIGKILL: it hangs after "bye")
#   localstack/localstack-host.sh status    print the endpoint and exit 0 when it is healthy, else exit 1
#   localstack/localstack-host.sh exec CMD  run CMD inside the namespace with AWS_ENDPOINT_URL set
#   localstack/localstack-host.sh prepare   only build the venv and place the files (needs the registries)
#
# Why each part (facts in docs and ../shared/LOCALSTACK.md):
# - Python 3.13 (4.14.0 does not import on 3.11) in its own venv with pinned packages;
# - what LocalStack would download from GitHub or CloudFront at run time is placed beforehand
#   from Maven Central and npm: DynamoDB Local and its native sqlite, kinesis-local (DynamoDB
#   Streams), a link to the system JDK;
# - DynamoDB Local binds every interface and cannot be told otherwise, so LocalStack and
#   everything that talks to it run in a private network namespace that has only loopback;
# - Lambda functions run under aws-lambda-rie through the project's runtime-executor plugin
#   (localstack/rie_executor), since there is no Docker to run them in.
set -euo pipefail

LOCALSTACK_VERSION=4.14.0
DDB_LOCAL_VERSION=2.6.1
KINESIS_LOCAL_VERSION=0.5.2
PORT=4566
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PROVISIONER_LOCALSTACK_VENV:-$root/.venv-localstack}
state=${PROVISIONER_LOCALSTACK_DIR:-$root/.localstack}
fsroot=$state/fs
lib=$fsroot/var/lib/localstack/lib
netns=$state/netns
endpoint=http://127.0.0.1:$PORT
pins=("localstack-core[runtime]==$LOCALSTACK_VERSION" "cbor2<6" "pyopenssl==25.3.0" "cryptography<47" service_identity)

log() { echo "localstack-host: $*" >&2; }
die() { log "$*"; exit 1; }

# python313 prints a Python 3.13 that runs (a pyenv shim on PATH may not, without a version set).
python313() {
  if [ -n "${PROVISIONER_PYTHON313:-}" ]; then echo "$PROVISIONER_PYTHON313"; return; fi
  local p
  for p in "$(command -v python3.13 || true)" "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
      echo "$p"; return
    fi
  done
  die "Python 3.13 is needed (LocalStack $LOCALSTACK_VERSION does not import on 3.11); set PROVISIONER_PYTHON313"
}

# The venv is rebuilt when the pins or the plugin's sources change (a stamp of both).
ensure_venv() {
  local stamp
  stamp=$( (printf '%s\n' "${pins[@]}"; cat "$root"/localstack/rie_executor/pyproject.toml "$root"/localstack/rie_executor/provisioner_rie_executor/*.py) | sha256sum | cut -c1-16)
  if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then return 0; fi
  log "creating $venv with LocalStack $LOCALSTACK_VERSION and the RIE runtime executor (first use only)"
  [ -x "$venv/bin/python" ] || "$(python313)" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" "$root/localstack/rie_executor"
  echo "$stamp" >"$venv/.stamp"
}

place_java() {
  local jdk
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  [ -x "$jdk/bin/java" ] || die "no JDK found for DynamoDB Local (install openjdk-17)"
  mkdir -p "$lib/java"
  ln -sfn "$jdk" "$lib/java/21"
}

# DynamoDB Local from Maven Central, laid out as LocalStack's installer leaves the CloudFront zip.
place_dynamodb_local() {
  local d=$lib/dynamodb-local/2
  [ -f "$d/DynamoDBLocal.jar" ] && [ -f "$d/ddb-local-loader-0.1.jar" ] && return 0
  log "placing DynamoDB Local $DDB_LOCAL_VERSION from Maven Central"
  local work; work=$(mktemp -d)
  mkdir -p "$d/DynamoDBLocal_lib"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>ddb</artifactId><version>1</version>
  <dependencies><dependency><groupId>com.amazonaws</groupId><artifactId>DynamoDBLocal</artifactId><version>$DDB_LOCAL_VERSION</version></dependency></dependencies>
</project>
EOF
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$d/DynamoDBLocal_lib" >"$work/mvn.log" 2>&1 ||
    { cat "$work/mvn.log" >&2; die "mvn could not fetch DynamoDBLocal $DDB_LOCAL_VERSION"; }
  local so
  so=$(ls "$d"/DynamoDBLocal_lib/libsqlite4java-linux-amd64*.so | head -1)
  cp "$so" "$d/DynamoDBLocal_lib/libsqlite4java-linux-amd64.so"
  # A manifest-only jar: the main class and the jars as its class path (what `java -jar` reads).
  (cd "$d" && "$venv/bin/python" - <<'EOF'
import glob, zipfile
jars = sorted(glob.glob("DynamoDBLocal_lib/*.jar"))
def wrap(line):  # manifest lines are at most 72 bytes; continuations start with a space
    out, rest = [line[:72]], line[72:]
    while rest:
        out.append(" " + rest[:71]); rest = rest[71:]
    return "\r\n".join(out)
mf = "\r\n".join(["Manifest-Version: 1.0",
    "Main-Class: com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
    wrap("Class-Path: " + " ".join(jars)), "", ""])
with zipfile.ZipFile("DynamoDBLocal.jar", "w") as z:
    z.writestr("META-INF/MANIFEST.MF", mf)
EOF
  )
  # LocalStack passes a Java agent it would fetch from GitHub (it lifts DynamoDB Local's limit of
  # 20 GSIs per table); a do-nothing agent stands in, so that limit stays.
  cat >"$work/NoopAgent.java" <<'EOF'
public class NoopAgent { public static void premain(String args, java.lang.instrument.Instrumentation inst) {} }
EOF
  printf 'Premain-Class: NoopAgent\n' >"$work/agent.mf"
  (cd "$work" && javac -d . NoopAgent.java && jar cfm "$d/ddb-local-loader-0.1.jar" agent.mf NoopAgent.class)
  rm -rf "$work"
}

place_kinesis_local() {
  local d=$lib/kinesis-local/$KINESIS_LOCAL_VERSION
  [ -f "$d/node_modules/kinesis-local/main.js" ] && return 0
  log "placing kinesis-local $KINESIS_LOCAL_VERSION from npm"
  mkdir -p "$d"
  npm install --silent --no-audit --no-fund --prefix "$d" "kinesis-local@$KINESIS_LOCAL_VERSION" >&2
}

prepare() {
  ensure_venv
  place_java
  place_dynamodb_local
  place_kinesis_local
}

in_ns() { nsenter --net="$netns" "$@"; }

ns_up() {
  [ "$(id -u)" = 0 ] || die "the loopback-only network namespace needs root"
  if [ -f "$netns" ] && in_ns true 2>/dev/null; then return 0; fi
  mkdir -p "$state"
  touch "$netns"
  unshare --net="$netns" true
  in_ns ip link set lo up
}

ns_down() {
  if [ -f "$netns" ]; then umount "$netns" 2>/dev/null || true; rm -f "$netns"; fi
}

healthy() { [ -f "$netns" ] && in_ns curl -fsS -m 2 -o /dev/null "$endpoint/_localstack/health" 2>/dev/null; }

rie_path() { command -v aws-lambda-rie 2>/dev/null || echo "$(go env GOPATH 2>/dev/null)/bin/aws-lambda-rie"; }

start() {
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null && healthy; then
    echo "$endpoint"; return 0
  fi
  stop 2>/dev/null || true
  prepare
  ns_up
  mkdir -p "$fsroot/tmp"
  local rie; rie=$(rie_path)
  [ -x "$rie" ] || die "aws-lambda-rie is missing (Lambda functions run under it): run make tools"
  # setsid: LocalStack and its children (DynamoDB Local, kinesis-local, the RIE processes) form
  # one process group that stop ends by its id.
  # One LocalStack serves the whole suite at once: several webhook stacks (450 reserved each)
  # and the kinds tests share its account, whose default limit of 1,000 leaves room for two.
  setsid nohup nsenter --net="$netns" env \
    GATEWAY_LISTEN=127.0.0.1:$PORT GATEWAY_SERVER=hypercorn \
    SERVICES=apigateway,cloudwatch,dynamodb,dynamodbstreams,ec2,iam,lambda,logs,resourcegroupstaggingapi,s3,sqs,ssm,sts \
    FILESYSTEM_ROOT="$fsroot" TMPDIR="$fsroot/tmp" DNS_ADDRESS=0 SKIP_SSL_CERT_DOWNLOAD=1 \
    DISABLE_EVENTS=1 LOCALSTACK_CLI=0 OVERRIDE_IN_DOCKER=0 \
    LAMBDA_RUNTIME_EXECUTOR=rie PROVISIONER_RIE="$rie" \
    LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT=60 LAMBDA_LIMITS_CONCURRENT_EXECUTIONS=10000 \
    "$venv/bin/python" -m localstack.runtime.main >"$state/localstack.log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  for _ in $(seq 1 300); do
    if healthy; then
      log "LocalStack $LOCALSTACK_VERSION ready at $endpoint in namespace $netns (log: $state/localstack.log)"
      echo "$endpoint"; return 0
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      log "LocalStack exited during start; last lines of $state/localstack.log:"; tail -30 "$state/localstack.log" >&2
      ns_down; return 1
    fi
    sleep 0.2
  done
  log "LocalStack did not answer at $endpoint within 60s"; tail -30 "$state/localstack.log" >&2; return 1
}

stop() {
  if [ -f "$state/pid" ]; then
    local pid; pid=$(cat "$state/pid")
    if kill -TERM -- "-$pid" 2>/dev/null; then
      for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped LocalStack (process group $pid)"
    fi
    rm -f "$state/pid"
  fi
  ns_down
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) healthy && echo "$endpoint" ;;
  prepare) prepare ;;
  exec)
    shift
    healthy || die "LocalStack is not running: $0 start"
    AWS_ENDPOINT_URL=$endpoint in_ns "$@" ;;
  *) echo "usage: $0 start|stop|status|exec CMD...|prepare" >&2; exit 2 ;;
esac
