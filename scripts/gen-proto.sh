#!/usr/bin/env bash
# Generates TypeScript (ts-proto, @grpc/grpc-js flavour) from protos/ into src/gen/, and the
# descriptor set gRPC reflection serves (protos/descriptor-set.binpb).
#
#   bash scripts/gen-proto.sh           regenerate src/gen (deletes it first, so removed
#                                       protos leave no stale files behind) and the descriptor set
#   bash scripts/gen-proto.sh --check   regenerate into a temp dir and compare with src/gen and
#                                       the descriptor set; exit 1 listing the differences when
#                                       stale (what CI runs; independent of git state)
#
# Needs protoc with the well-known types (Debian: protobuf-compiler + libprotobuf-dev);
# installs them with apt-get when missing and running as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROTO_DIR="$ROOT/protos"
GEN_DIR="$ROOT/src/gen"
PLUGIN="$ROOT/node_modules/.bin/protoc-gen-ts_proto"
# Reflection serves protoc's own FileDescriptorProtos (one per .proto, with their imports) from this set:
# proto-loader would merge a package's files and drop `dependency`, which Go clients (grpcurl, ghz) reject.
# It lives under protos/ because the runtime image ships protos/ but not src/.
DESCRIPTOR_SET="$PROTO_DIR/descriptor-set.binpb"
# grpc.health.v1 (registered by grpc-health-check on every server) is added so reflection can describe it.
HEALTH_INCLUDE="$ROOT/node_modules/grpc-health-check/proto"
HEALTH_PROTO="health/v1/health.proto"
WKT_INCLUDE="${PROTOC_WKT_INCLUDE:-/usr/include}"

# Options chosen for exactness and strict tsc:
# - forceLong=bigint: int64 (Money.units, stock) stays exact; no 2^53 cliff.
# - useOptionals=messages: message fields are `x?: T`; scalars stay required (typo-safe).
# - oneof=unions-value: any future oneof becomes a discriminated union.
# - annotateFilesWithVersion=false: output does not depend on the local protoc build.
# - outputTypeRegistry=false: no `$type` fields, plain objects.
TS_PROTO_OPTS="outputServices=grpc-js,esModuleInterop=true,env=node,forceLong=bigint,useOptionals=messages,oneof=unions-value,useDate=true,outputTypeRegistry=false,annotateFilesWithVersion=false"

mode="write"
case "${1:-}" in
  "") ;;
  --check) mode="check" ;;
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "gen-proto: unknown argument '$1' (use --check or nothing)" >&2; exit 2 ;;
esac

ensure_protoc() {
  if command -v protoc >/dev/null 2>&1 && [ -f "$WKT_INCLUDE/google/protobuf/timestamp.proto" ]; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "gen-proto: installing protobuf-compiler libprotobuf-dev" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q protobuf-compiler libprotobuf-dev >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q protobuf-compiler libprotobuf-dev >/dev/null; }
  fi
  command -v protoc >/dev/null 2>&1 || { echo "gen-proto: protoc not found (apt-get install protobuf-compiler libprotobuf-dev)" >&2; exit 1; }
  [ -f "$WKT_INCLUDE/google/protobuf/timestamp.proto" ] || {
    echo "gen-proto: $WKT_INCLUDE/google/protobuf/timestamp.proto missing (apt-get install libprotobuf-dev, or set PROTOC_WKT_INCLUDE)" >&2; exit 1; }
}

generate_into() {
  local out="$1" set_out="$2"
  mkdir -p "$out"
  # Sorted, relative paths: identical output and import paths on every machine.
  local files
  mapfile -t files < <(cd "$PROTO_DIR" && find . -name '*.proto' -printf '%P\n' | LC_ALL=C sort)
  [ "${#files[@]}" -gt 0 ] || { echo "gen-proto: no .proto files under $PROTO_DIR" >&2; exit 1; }
  (cd "$PROTO_DIR" && protoc \
    -I . -I "$WKT_INCLUDE" \
    --plugin="protoc-gen-ts_proto=$PLUGIN" \
    --ts_proto_out="$out" \
    --ts_proto_opt="$TS_PROTO_OPTS" \
    "${files[@]}")
  # Same sorted inputs → byte-identical set for a given protoc and WKT headers. Source info keeps the
  # comments, so `grpcurl describe` shows the documentation.
  (cd "$PROTO_DIR" && protoc \
    -I . -I "$WKT_INCLUDE" -I "$HEALTH_INCLUDE" \
    --include_imports --include_source_info \
    --descriptor_set_out="$set_out" \
    "${files[@]}" "$HEALTH_PROTO")
}

ensure_protoc
[ -x "$PLUGIN" ] || { echo "gen-proto: $PLUGIN missing (run npm ci)" >&2; exit 1; }
[ -f "$HEALTH_INCLUDE/$HEALTH_PROTO" ] || { echo "gen-proto: $HEALTH_INCLUDE/$HEALTH_PROTO missing (run npm ci)" >&2; exit 1; }

if [ "$mode" = "write" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate_into "$tmp/gen" "$tmp/descriptor-set.binpb"   # only replace outputs once generation succeeded
  rm -rf "$GEN_DIR"
  mkdir -p "$(dirname "$GEN_DIR")"
  cp -R "$tmp/gen" "$GEN_DIR"
  cp "$tmp/descriptor-set.binpb" "$DESCRIPTOR_SET"
  echo "gen-proto: wrote $(find "$GEN_DIR" -name '*.ts' | wc -l) files to src/gen and ${DESCRIPTOR_SET#"$ROOT/"}"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate_into "$tmp/gen" "$tmp/descriptor-set.binpb"
  stale=0
  diff -r -u "$GEN_DIR" "$tmp/gen" >"$tmp/diff.txt" 2>&1 || stale=1
  if ! cmp -s "$DESCRIPTOR_SET" "$tmp/descriptor-set.binpb"; then
    stale=1
    echo "${DESCRIPTOR_SET#"$ROOT/"} differs from a fresh protoc --descriptor_set_out (or is missing)" >>"$tmp/diff.txt"
  fi
  if [ "$stale" = 0 ]; then
    echo "gen-proto: src/gen and ${DESCRIPTOR_SET#"$ROOT/"} are up to date"
  else
    echo "gen-proto: generated code is STALE — run 'bash scripts/gen-proto.sh' and commit the result. Differences:" >&2
    head -n 200 "$tmp/diff.txt" >&2
    exit 1
  fi
fi
