#!/usr/bin/env bash
# Install, start and stop a real Docker Engine with buildx on Debian, as root.
#
#   scripts/engine.sh install   Debian's docker.io, docker-registry, iptables and
#                               docker-buildx from trixie (pinned low); idempotent
#   scripts/engine.sh start     start dockerd unless one already answers
#   scripts/engine.sh stop      stop the dockerd that `start` started
#   scripts/engine.sh run CMD   run CMD with a daemon: one that already answers
#                               is reused and left running; one started for
#                               CMD is stopped afterwards, whatever CMD did
set -euo pipefail

state_dir=${STACK_ENGINE_STATE:-/tmp/stack-engine}
sources=/etc/apt/sources.list.d/debian.sources

say() { printf 'engine: %s\n' "$*" >&2; }

mirror_uri() {
    # The first URIs line that is not the security archive: trixie must come
    # from the same mirror as bookworm.
    awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$sources"
}

install() {
    if command -v dockerd >/dev/null && docker buildx version >/dev/null 2>&1 \
        && command -v docker-registry >/dev/null; then
        say "docker.io, docker-registry and docker-buildx are installed"
        return
    fi
    [ -r "$sources" ] || { say "no $sources: this script needs Debian 12"; exit 1; }

    local uri
    uri=$(mirror_uri)
    cat >/etc/apt/sources.list.d/trixie.sources <<SOURCES
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    cat >/etc/apt/preferences.d/trixie-low <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN

    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends \
        docker.io docker-registry iptables ca-certificates >/dev/null
    apt-get install -y -qq --no-install-recommends docker-buildx/trixie >/dev/null
    say "installed: $(docker buildx version)"
}

answers() { timeout 5 docker info >/dev/null 2>&1; }

start() {
    if answers; then
        say "a Docker daemon already answers; reusing it"
        return
    fi
    mkdir -p "$state_dir"
    local root
    root=$(mktemp -d /tmp/stack-dockerd.XXXXXX)
    echo "$root" >"$state_dir/data-root"
    dockerd --data-root "$root" --exec-root "$root/exec" \
        --pidfile "$state_dir/dockerd.pid" >"$state_dir/dockerd.log" 2>&1 &

    for _ in $(seq 1 60); do
        if answers; then
            say "dockerd is up (data root $root)"
            return
        fi
        sleep 0.5
    done
    say "dockerd did not answer in 30 s; its log follows"
    tail -n 30 "$state_dir/dockerd.log" >&2
    exit 1
}

stop() {
    local pidfile=$state_dir/dockerd.pid
    if [ ! -s "$pidfile" ]; then
        say "no dockerd was started by this script; nothing to stop"
        return
    fi
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if [ -s "$state_dir/data-root" ]; then
        rm -rf "$(cat "$state_dir/data-root")"
    fi
    rm -f "$pidfile" "$state_dir/data-root"
    say "dockerd stopped"
}

run() {
    [ "$#" -gt 0 ] || { echo "usage: $0 run CMD [ARG...]" >&2; exit 2; }
    if answers; then
        say "a Docker daemon already answers; reusing it and leaving it running"
        "$@"
        return
    fi

    start
    trap stop EXIT
    "$@"
}

command=${1:-}
shift || true
case "$command" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    run) run "$@" ;;
    *) echo "usage: $0 install|start|stop|run CMD..." >&2; exit 2 ;;
esac
