# shellcheck shell=bash
# Sourced by scripts/install-{ghz,grpcurl,helm}.sh: builds a pinned Go module binary from the Go module
# proxy into .stack/bin (no prebuilt binaries can be downloaded here). The caller has cd'd to the repo root.
#
#   go_install_pinned [--user-caches] [--all-cores] NAME PACKAGE@VERSION CHECK_FN [LDFLAGS_FN]
#
# Prints the binary's path on stdout (its last line); progress goes to stderr; exits the calling script.
#   CHECK_FN BIN    true when BIN is the pinned build: then nothing is built (the fast path).
#   GO_LDFLAGS      -ldflags for the build (set it before the call, or in LDFLAGS_FN).
#   LDFLAGS_FN      optional; run in this shell once Go is on PATH, when the flags need `go` to compute.
#   By default GOPATH and the module/build caches live under .stack/go (nothing written outside the
#   git-ignored .stack/) and the build runs niced with -p 1 (a shared 2-core box stays usable).
#   --user-caches   keep Go's usual per-user caches (a fresh clone on the same machine only relinks).
#   --all-cores     build at Go's default parallelism, not niced.

go_install_pinned() {
  local user_caches=false all_cores=false
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --user-caches) user_caches=true ;;
      --all-cores) all_cores=true ;;
      *) echo "go_install_pinned: unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
  local name=$1 target=$2 check=$3 ldflags_fn=${4:-}
  local me bin_dir bin
  me=$(basename "$0" .sh)
  bin_dir=$PWD/.stack/bin
  bin=$bin_dir/$name

  if [[ -x $bin ]] && "$check" "$bin"; then
    echo "$bin"
    exit 0
  fi

  if ! command -v go >/dev/null 2>&1; then
    [[ -x /usr/local/go/bin/go ]] && export PATH=/usr/local/go/bin:$PATH
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "$me: Go is required (apt-get install golang-go, or a Go toolchain in /usr/local/go)" >&2
    exit 1
  fi

  if [[ $user_caches == false ]]; then
    export GOPATH=$PWD/.stack/go
    export GOMODCACHE=$GOPATH/pkg/mod
    export GOCACHE=$GOPATH/cache
    export GOFLAGS=-mod=mod
  fi
  if [[ -n $ldflags_fn ]]; then "$ldflags_fn"; fi  # not in a && list: errexit still applies inside
  local -a run=(go install)
  [[ $all_cores == false ]] && run=(nice go install -p 1)

  mkdir -p "$bin_dir"
  echo "$me: building $target with $(go version | cut -d' ' -f3) (a cold build takes minutes)" >&2
  local start=$SECONDS
  if ! GOBIN=$bin_dir CGO_ENABLED=0 "${run[@]}" -trimpath -ldflags "${GO_LDFLAGS:-}" "$target" >&2; then
    echo "$me: 'go install $target' failed (is the Go module proxy ${GOPROXY:-$(go env GOPROXY)} reachable?)" >&2
    exit 1
  fi
  echo "$me: built in $((SECONDS - start))s" >&2
  "$check" "$bin" || {
    echo "$me: built binary does not report the pinned version of $target" >&2
    exit 1
  }
  echo "$bin"
  exit 0
}
