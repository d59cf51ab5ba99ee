#!/usr/bin/env bash
# scripts/services start in a checkout below a 0700 folder, as a clone in
# root's home is: user postgres cannot enter it, and initdb used to fail with
# "Permission denied". Also: a port changed after the first start is applied
# by a restart, and refused clearly by a start while the old one runs.
# Runs its own PostgreSQL and Kafka on free ports; needs the root checkout's
# Kafka jars (scripts/setup).
set -euo pipefail
source="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

private="$(mktemp -d /tmp/rtad-private-XXXXXX)" # 0700, like a home folder
[[ "$(stat -c %a "$private")" == 700 ]] || fail "mktemp made $private $(stat -c %a "$private")"
checkout="$private/rtad"
mkdir -p "$checkout"
cp -r "$source/scripts" "$checkout/" # what scripts/services needs of a checkout
export RTAD_CACHE="$source/.rtad/cache" RTAD_STATE="$checkout/.rtad"
export RTAD_PG_PORT="$(free_port)" RTAD_KAFKA_PORT="$(free_port)" RTAD_KAFKA_CONTROLLER_PORT="$(free_port)"
services="$checkout/scripts/services"
cleanup() {
  "$services" stop >/dev/null 2>&1 || true
  rm -rf "/var/lib/rtad/pg-$(printf '%s' "$checkout" | sha1sum | cut -c1-12)" "$private"
}
trap cleanup EXIT

runuser -u postgres -- test -x "$checkout" 2>/dev/null && fail "postgres can enter $checkout: this tests nothing"
out="$("$services" start 2>&1)" || fail "start in a private checkout: $out"
grep -q "cannot enter" <<<"$out" || fail "start did not say where the cluster went: $out"
env_file="$RTAD_STATE/services.env"
pg_url="$(sed -n 's/^RTAD_PG_URL=//p' "$env_file")"
[[ "$(psql -X -tAc 'select 40+2' "$pg_url")" == 42 ]] || fail "PostgreSQL does not answer at $pg_url"
kcat -b "127.0.0.1:$RTAD_KAFKA_PORT" -L -m 5 >/dev/null || fail "Kafka does not answer"

# A new port: start refuses while the old one runs, restart applies it.
old_port="$RTAD_PG_PORT"
export RTAD_PG_PORT="$(free_port)"
if out="$("$services" start pg 2>&1)"; then fail "start with another port said yes: $out"; fi
grep -q "runs on port $old_port" <<<"$out" || fail "the refusal does not name the port: $out"
old_kafka="$RTAD_KAFKA_PORT"
export RTAD_KAFKA_PORT="$(free_port)"
status="$("$services" status 2>&1)" || fail "status: $status"
grep -q "127.0.0.1:$old_port/" <<<"$status" || fail "status does not show the port in use: $status"
grep -q "127.0.0.1:$old_kafka " <<<"$status" || fail "status does not show Kafka's port in use: $status"
export RTAD_KAFKA_PORT="$old_kafka"
"$services" restart pg >/dev/null 2>&1 || fail "restart pg with a new port"
[[ "$(psql -X -tAc 'select 40+2' "postgresql://rtad@127.0.0.1:$RTAD_PG_PORT/rtad")" == 42 ]] \
  || fail "PostgreSQL does not answer on the new port $RTAD_PG_PORT"
grep -q "127.0.0.1:$RTAD_PG_PORT/" "$env_file" || fail "services.env does not have the new port"
echo "ok: services in a 0700 checkout, port change applied"
