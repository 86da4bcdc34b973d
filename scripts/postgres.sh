#!/usr/bin/env bash
# A throwaway local PostgreSQL server for the `postgres` target of profiles.yml:
#
#   scripts/postgres.sh start    install Debian's postgresql if missing, initialise a cluster in
#                                .postgres/ (once), start it on loopback, create the database
#   scripts/postgres.sh stop     stop it (the cluster's files stay for the next start)
#   scripts/postgres.sh status   say whether it runs
#
# The settings are the environment variables profiles.yml reads, with the same local defaults:
#   SALESPIPELINE_PG_HOST      127.0.0.1 (this script only serves loopback)
#   SALESPIPELINE_PG_PORT      5433 (beside, not on, the port of a system server)
#   SALESPIPELINE_PG_USER      salespipeline
#   SALESPIPELINE_PG_PASSWORD  unset: the cluster trusts TCP connections from 127.0.0.1; set
#                              when the cluster is first initialised: they need the password
#                              (scram). Either way its unix socket, in the cluster's folder,
#                              admits only the cluster's owner (and root).
#   SALESPIPELINE_PG_DATABASE  salespipeline
#   SALESPIPELINE_PG_DATA      .postgres/data under the project (git-ignored)
#
# The cluster is for building and testing, not for keeping data: it runs without fsync, so a
# crash of the machine may lose it (start again and rebuild). Under root, the server runs as the
# `postgres` system user that Debian's package creates (PostgreSQL refuses to run as root), which
# must be able to reach the cluster's folder: for a project in a private folder (/root, say), set
# SALESPIPELINE_PG_DATA to a folder outside it.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOST="${SALESPIPELINE_PG_HOST:-127.0.0.1}"
PORT="${SALESPIPELINE_PG_PORT:-5433}"
USER_NAME="${SALESPIPELINE_PG_USER:-salespipeline}"
DATABASE="${SALESPIPELINE_PG_DATABASE:-salespipeline}"
DATA="${SALESPIPELINE_PG_DATA:-$ROOT/.postgres/data}"
RUN_DIR="$(dirname "$DATA")"
LOG="$RUN_DIR/server.log"

die() {
    echo "scripts/postgres.sh: $*" >&2
    exit 1
}

case "$HOST" in
127.0.0.1 | localhost) ;;
*) die "SALESPIPELINE_PG_HOST is $HOST: this script starts a server on loopback only (127.0.0.1); for another server, set the variables and skip the script" ;;
esac

# The folder of the newest server's programs (initdb, pg_ctl): a machine with only the client
# (psql) has /usr/lib/postgresql/<version>/bin too, without them.
bin_dir() {
    local dir found=""
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && found="$dir"
    done
    if [ -z "$found" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        found="$(dirname "$(command -v pg_ctl)")"
    fi
    echo "$found"
}

install_server() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
            || die "PostgreSQL is not installed and this user cannot install it (needs root or sudo): apt-get install postgresql"
        sudo="sudo -n"
    fi
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
    echo "Installing Debian's postgresql..." >&2
    $sudo apt-get update -qq
    # The package's own cluster is not needed: this script initialises one of its own.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

BIN="$(bin_dir)"

# Runs a server program as the cluster's owner: the `postgres` user under root, else this user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    [ -n "$BIN" ] && [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

initialise() {
    mkdir -p "$DATA"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "there is no postgres system user to run the server as"
        chown -R postgres: "$RUN_DIR"
        runuser -u postgres -- test -w "$DATA" \
            || die "the postgres user cannot reach $DATA (a private folder above it?): set SALESPIPELINE_PG_DATA to a folder it can reach"
    fi
    chmod 700 "$DATA"
    local auth=trust pwfile=()
    if [ -n "${SALESPIPELINE_PG_PASSWORD:-}" ]; then
        auth=scram-sha-256
        trap 'rm -f "$RUN_DIR/.pwfile"' EXIT
        (umask 077 && printf '%s\n' "$SALESPIPELINE_PG_PASSWORD" >"$RUN_DIR/.pwfile")
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$RUN_DIR/.pwfile"; fi
        pwfile=(--pwfile "$RUN_DIR/.pwfile")
    fi
    as_owner "$BIN/initdb" --pgdata "$DATA" --username "$USER_NAME" "${pwfile[@]}" \
        --auth-local trust --auth-host "$auth" --encoding UTF8 --locale C >/dev/null
    rm -f "$RUN_DIR/.pwfile"
    # Loopback only, no unix socket outside the cluster's folder, and no durability: a build
    # server that is rebuilt, never restored.
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN_DIR'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start() {
    if [ -z "$BIN" ]; then
        install_server
        BIN="$(bin_dir)"
        [ -n "$BIN" ] || die "postgresql was installed but its programs were not found under /usr/lib/postgresql"
    fi
    if is_running; then
        local running_port
        running_port="$(sed -n 4p "$DATA/postmaster.pid")"
        [ "$running_port" = "$PORT" ] \
            || die "the cluster $DATA already runs on port $running_port, not $PORT: stop it first"
        echo "PostgreSQL already runs on $HOST:$PORT (cluster $DATA)"
    else
        [ -f "$DATA/PG_VERSION" ] || initialise
        # The port of this start, whatever the cluster was first created with.
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $PORT" -w -t 60 start >/dev/null \
            || die "the server did not start; its log: $LOG"
    fi
    if ! as_owner "$BIN/psql" -h "$RUN_DIR" -p "$PORT" -U "$USER_NAME" -d postgres -tAc \
        "select 1 from pg_database where datname = '$DATABASE'" | grep -q 1; then
        as_owner "$BIN/createdb" -h "$RUN_DIR" -p "$PORT" -U "$USER_NAME" "$DATABASE"
    fi
    echo "PostgreSQL runs on $HOST:$PORT, database $DATABASE, user $USER_NAME (cluster $DATA)"
}

stop() {
    if is_running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null
        echo "PostgreSQL stopped (cluster $DATA kept)"
    else
        echo "PostgreSQL is not running (cluster $DATA)"
    fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
    if is_running; then echo "running on $HOST:$PORT (cluster $DATA)"; else
        echo "not running (cluster $DATA)"
        exit 3
    fi
    ;;
*) die "usage: scripts/postgres.sh start|stop|status" ;;
esac
