# shellcheck shell=bash
# What the load benchmarks share (sourced by scripts/bench-load and
# scripts/bench-tiles, from the repository's root): the tools, the throwaway
# PostgreSQL server with the generated priorities and their PostGIS copy, our
# release server, and one measurement with wrk or pgbench.
#
# The sourcing script sets `bench` (its name, for messages) and `count`, and
# calls, in this order: bench_tools, bench_build, bench_out DIR, bench_postgres,
# bench_database, bench_serve [ARGS...]. Then `url` is the database's URL,
# `ours` our server's base URL, `out` the run's directory, `bin` the binary.
# Clean-up at exit stops what was started here (and the pids in `bench_pids`).

pg_bindir=/usr/lib/postgresql/15/bin
export PRIORIDADES_PG_PORT=${PRIORIDADES_PG_PORT:-55442}
export PRIORIDADES_PG_DATA=${PRIORIDADES_PG_DATA:-$PWD/target/bench-load/postgres/data}
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

log() { echo "$bench: $*" >&2; }

# --- Tools -------------------------------------------------------------------

bench_have_tools() {
    command -v wrk >/dev/null && command -v nginx >/dev/null &&
        [[ -f /usr/share/postgresql/15/extension/postgis.control ]] &&
        [[ -x $pg_bindir/pgbench || -n $(command -v pgbench) ]] &&
        scripts/postgres bindir >/dev/null
}
# Missing tools (wrk, nginx-light, postgresql-15-postgis-3) are installed with
# apt-get when run as root on Debian. Sets pgbench.
bench_tools() {
    if ! bench_have_tools; then
        if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
            log "needs wrk, nginx, PostgreSQL 15 with PostGIS 3 and pgbench (Debian: apt-get install wrk nginx-light postgresql-15-postgis-3)"
            exit 1
        fi
        log "apt-get install wrk nginx-light postgresql-15-postgis-3"
        bench_apt() {
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                wrk nginx-light postgresql-15 postgresql-15-postgis-3 >/dev/null
        }
        bench_apt || { apt-get update >/dev/null && bench_apt; }
        bench_have_tools || { log "tools still missing after apt-get install"; exit 1; }
    fi
    if [[ -x $pg_bindir/pgbench ]]; then pgbench=$pg_bindir/pgbench; else pgbench=$(command -v pgbench); fi
}

bench_build() {
    cargo build --release --quiet --bin prioridades
    bin=target/release/prioridades
}

# The run's directory target/DIR/run-<time>, linked as target/DIR/latest.
bench_out() {
    out=target/$1/run-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$out"
    ln -sfn "$(basename "$out")" "target/$1/latest"
}

# --- Clean-up ----------------------------------------------------------------

server_pid=
bench_pids=()
started_postgres=0
tmp=$(mktemp -d)
bench_cleanup() {
    local pid
    for pid in "${bench_pids[@]}" $server_pid; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    ((started_postgres)) && scripts/postgres stop
    rm -rf "$tmp"
    true
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# --- PostgreSQL and the data -------------------------------------------------

# When this starts the PostgreSQL server, it gives it 1 GB of shared buffers
# and turns JIT off (ALTER SYSTEM, in that data directory only), and stops it
# at the end; a server already running is used as it is and left running.
bench_postgres() {
    if ! scripts/postgres status; then
        started_postgres=1
        admin=$(scripts/postgres start)
        if [[ $(psql -XAtq "$admin" -c "SHOW shared_buffers") != 1GB ]]; then
            psql -Xq "$admin" -c "ALTER SYSTEM SET shared_buffers = '1GB'" -c "ALTER SYSTEM SET jit = off"
            scripts/postgres stop
            scripts/postgres start >/dev/null
        fi
    fi
    admin=$(scripts/postgres url)
    db=bench_load_$count
    url="${admin%/*}/$db"
}
sql() { psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }
sql_value() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$url" -c "$1"; }

# The database bench_load_<count>: COUNT priorities generated (`generate
# --seed 1`) and imported, and bench_priorities, their PostGIS copy; kept for
# the next run with the same count (of either benchmark).
bench_database() {
    local ready data started
    ready=$(psql -XAtq "$admin" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
    if [[ -n $ready ]]; then
        ready=$(sql_value "SELECT count FROM bench_load_ready" 2>/dev/null || true)
    fi
    if [[ $ready == "$count" ]]; then
        log "database $db is ready ($count priorities, PostGIS table built): reusing it"
    else
        log "preparing database $db: generate, import, PostGIS table"
        psql -Xq "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
        data=target/bench-load/priorities-$count.ndjson
        mkdir -p target/bench-load
        "$bin" generate --count "$count" --seed 1 --database-url "$url" >"$data" 2>"$out/generate.log"
        started=$(date +%s.%N)
        "$bin" import "$data" --database-url "$url" >"$out/import.out" 2>"$out/import.log"
        awk -v s="$started" -v e="$(date +%s.%N)" -v n="$count" -v b="$bench" \
            'BEGIN { printf "%s: imported %d priorities in %.1f s\n", b, n, e - s }' >&2
        rm -f "$data"
        started=$(date +%s.%N)
        # The priorities as PostGIS would hold them: a geometry (SRID 4326) with a
        # GiST index, one on its geography for radius queries, and b-tree indexes
        # on the territory each priority is located in (municipality = first 4
        # digits of the parish), paired with the row key for ordered paging.
        sql <<'SQL'
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE bench_priorities AS
SELECT pk, id, council_code AS council, title, description, category, status, rank, families,
       plan::json AS plan,
       to_timestamp(created_at / 1e6) AS created_at, to_timestamp(updated_at / 1e6) AS updated_at,
       version, located_parish AS parish, left(located_parish, 4) AS municipality,
       ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326) AS geom
FROM priorities;
ALTER TABLE bench_priorities ADD PRIMARY KEY (pk);
CREATE INDEX bench_priorities_geom ON bench_priorities USING gist (geom);
CREATE INDEX bench_priorities_geog ON bench_priorities USING gist ((geom::geography));
CREATE INDEX bench_priorities_parish ON bench_priorities (parish, pk);
CREATE INDEX bench_priorities_municipality ON bench_priorities (municipality, pk);
VACUUM ANALYZE bench_priorities;
SQL
        sql -c "CREATE TABLE bench_load_ready AS SELECT count(*) FROM bench_priorities"
        awk -v s="$started" -v e="$(date +%s.%N)" -v b="$bench" \
            'BEGIN { printf "%s: PostGIS table and indexes built in %.1f s\n", b, e - s }' >&2
    fi
    [[ $(sql_value "SELECT count(*) FROM priorities") == "$count" ]] || {
        log "database $db does not hold $count priorities; drop it and run again"
        exit 1
    }
}

# --- Our server ----------------------------------------------------------------

# Our release server on a free port, on the database; extra arguments go to `serve`.
bench_serve() {
    rm -f "$out/server.log" # a restart must not read the last server's address
    "$bin" serve --bind 127.0.0.1:0 --no-demo --log-format json --database-url "$url" "$@" 2>"$out/server.log" &
    server_pid=$!
    until grep -qs '"address"' "$out/server.log"; do
        kill -0 "$server_pid" 2>/dev/null || { log "the server stopped; see $out/server.log"; exit 1; }
        sleep 0.5
    done
    ours=http://$(grep -o -m 1 '"address":"[^"]*"' "$out/server.log" | cut -d'"' -f4)
    log "our server on $ours ($(grep -o '"elapsed_ms":[0-9]*' "$out/server.log" | head -n 1) to build the index)"
}

# --- Measurements ------------------------------------------------------------

# The Lua `done` of a wrk script: one line with what run_wrk reads.
wrk_done_lua() {
    cat <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d bytes=%d duration_us=%d p50_us=%d p99_us=%d errors=%d mean_us=%d\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status, latency.mean))
end
LUA
}

# "req/s p50_ms p99_ms bytes_per_request errors requests mean_ms" from a wrk
# run of `secs` seconds (default $seconds).
run_wrk() {
    local script=$1 base=$2 conns=$3 raw=$4 secs=${5:-$seconds} threads=2
    ((conns < threads)) && threads=$conns
    wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s -s "$script" "$base" >"$raw" 2>&1
    sed -n 's/^RESULT //p' "$raw" | tr ' ' '\n' | awk -F= '{ v[$1] = $2 }
        END { if (!v["requests"]) { print "0 0 0 0 1 0 0"; exit }
              printf "%.0f %.2f %.2f %.0f %d %d %.3f\n", v["requests"] / (v["duration_us"] / 1e6),
              v["p50_us"] / 1000, v["p99_us"] / 1000, v["bytes"] / v["requests"], v["errors"], v["requests"],
              v["mean_us"] / 1000 }'
}

# "tps latency_avg_ms failed" from a pgbench run.
run_pgbench() {
    local script=$1 conns=$2 raw=$3 threads=2
    ((conns < threads)) && threads=$conns
    "$pgbench" -n -M prepared -c "$conns" -j "$threads" -T "$seconds" -f "$script" "$url" >"$raw" 2>&1 || true
    awk '/^tps = / { tps = $3 } /^latency average = / { lat = $4 }
         /^number of failed transactions: / { failed = $5 }
         END { printf "%.0f %.2f %d\n", tps, lat, failed }' "$raw"
}

# The machine and the software, for a report's header.
bench_machine() {
    echo "$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
}
bench_versions() {
    psql -XAtq "$url" -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', PostGIS ' || postgis_lib_version() || ', shared_buffers ' || current_setting('shared_buffers') || ', jit ' || current_setting('jit')"
}
