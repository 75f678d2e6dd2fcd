#!/usr/bin/env bash
# A multi-host test bed on one machine, from Debian packages (iproute2, postgresql-15) and Node:
# network namespaces ("hosts") joined by veth pairs to a bridge in the root namespace, and a
# PostgreSQL of its own (max_connections 500) listening on the bridge address. Nodes run inside a
# namespace with `scripts/netbed.sh exec HOST oban start ...` and reach PostgreSQL over the virtual
# network, through a latency forwarder per host (scripts/netbed-proxy.mjs; `tc netem` is used
# instead when the kernel has it). A partition is a link down.
#
#   scripts/netbed.sh up [HOSTS]     bridge 10.77.0.1/24, hosts obanbed1..N (10.77.0.11...), PostgreSQL (5433)
#   scripts/netbed.sh url HOST       the database URL a node in HOST uses (through its latency)
#   scripts/netbed.sh exec HOST CMD  runs CMD inside HOST
#   scripts/netbed.sh cut HOST       brings HOST's link down (a partition); heal HOST brings it back
#   scripts/netbed.sh status         what exists; down tears everything down
#
# Root only. Settings (environment): NETBED_DELAY_MS (5) and NETBED_JITTER_MS (2), one way, each
# direction; NETBED_LOSS_PCT (0): packets each host drops at random, in each direction, by an
# nftables rule in its namespace (Debian's nftables; real loss below TCP, which retransmits, where
# netem is missing); NETBED_DIR (/var/tmp/oban-netbed[-ID]): PostgreSQL's data, logs and pids; NETBED_ID
# (0-9, default 0): beds with different ids live side by side (bridge obanbedID, subnet 10.77.ID,
# PostgreSQL on port 5433+ID, hosts obanbed1... for id 0 and obanbedIDh1... otherwise).
set -euo pipefail

ID=${NETBED_ID:-0}
[[ "$ID" =~ ^[0-9]$ ]] || { echo "netbed: NETBED_ID must be a digit" >&2; exit 2; }
BRIDGE=obanbed$ID
SUBNET=10.77.$ID
BRIDGE_IP=$SUBNET.1
PG_PORT=$((5433 + ID))
PROXY_BASE=$((6400 + ID * 100))
NS=obanbed VETH=vbed
[ "$ID" = 0 ] || { NS=obanbed${ID}h; VETH=vbed${ID}x; }
DIR=${NETBED_DIR:-/var/tmp/oban-netbed$([ "$ID" = 0 ] || echo "-$ID")}
DELAY=${NETBED_DELAY_MS:-5}
JITTER=${NETBED_JITTER_MS:-2}
LOSS=${NETBED_LOSS_PCT:-0}
[[ "$LOSS" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk "BEGIN{exit !($LOSS < 100)}" ||
  { echo "netbed: NETBED_LOSS_PCT must be a percentage from 0 to below 100, got '$LOSS'" >&2; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
HERE=$(cd "$(dirname "$0")" && pwd)

die() { echo "netbed: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"; }
need_tools() {
  command -v ip >/dev/null || die "no ip command: apt-get install iproute2"
  [ -n "$PGBIN" ] || die "no PostgreSQL server binaries: apt-get install postgresql"
}
host_index() { [[ "$1" =~ ^$NS([0-9]+)$ ]] || die "unknown host '$1' (expected ${NS}1, ${NS}2, ...)"; echo "${BASH_REMATCH[1]}"; }
hosts() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NS[0-9]+\$" | sort -V || true; }
as_pg() { runuser -u postgres -- "$@"; }

has_netem() {
  ip link add obanbedprobe$ID type dummy 2>/dev/null || return 1
  local ok=1
  tc qdisc add dev obanbedprobe$ID root netem delay 1ms 2>/dev/null && ok=0
  ip link del obanbedprobe$ID
  return $ok
}

start_postgres() {
  mkdir -p "$DIR"
  chown postgres: "$DIR"
  if [ ! -f "$DIR/pg/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$DIR/pg" -U postgres -A trust >/dev/null
    cat >>"$DIR/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1,$BRIDGE_IP'
port = $PG_PORT
max_connections = 500
shared_buffers = 256MB
unix_socket_directories = '$DIR'
CONF
    echo "host all all $SUBNET.0/24 trust" >>"$DIR/pg/pg_hba.conf"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1 ||
    as_pg "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w start >/dev/null
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -Atc "SELECT 1" >/dev/null
}

up() {
  need_root; need_tools
  local n=${1:-4}
  ip link show $BRIDGE >/dev/null 2>&1 || {
    ip link add $BRIDGE type bridge
    ip addr add $BRIDGE_IP/24 dev $BRIDGE
    ip link set $BRIDGE up
  }
  start_postgres
  local netem=no
  has_netem && netem=yes
  for i in $(seq 1 "$n"); do
    local ns=$NS$i
    ip netns list | grep -qw "$ns" && continue
    ip netns add "$ns"
    ip link add "$VETH$i" type veth peer name eth0 netns "$ns"
    ip link set "$VETH$i" master $BRIDGE up
    ip -n "$ns" addr add "$SUBNET.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    local proxy_delay=$DELAY proxy_jitter=$JITTER
    if [ $netem = yes ]; then
      tc qdisc add dev "$VETH$i" root netem delay "${DELAY}ms" "${JITTER}ms"
      ip netns exec "$ns" tc qdisc add dev eth0 root netem delay "${DELAY}ms" "${JITTER}ms"
      proxy_delay=0 proxy_jitter=0
    fi
    [ "$LOSS" = 0 ] || add_loss "$ns"
    nohup node "$HERE/netbed-proxy.mjs" "$BRIDGE_IP:$((PROXY_BASE + i))" "127.0.0.1:$PG_PORT" \
      "$proxy_delay" "$proxy_jitter" >"$DIR/proxy$i.log" 2>&1 &
    echo $! >"$DIR/proxy$i.pid"
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 100); do grep -q listening "$DIR/proxy$i.log" 2>/dev/null || grep -q -- '->' "$DIR/proxy$i.log" && break; sleep 0.1; done
  done
  echo "netbed: $n hosts on $BRIDGE ($BRIDGE_IP), PostgreSQL on 127.0.0.1:$PG_PORT and $BRIDGE_IP:$PG_PORT," \
    "latency ${DELAY} ms ± ${JITTER} ms each way by $([ $netem = yes ] && echo 'tc netem' || echo 'netbed-proxy (no netem in this kernel)')," \
    "loss ${LOSS}% each way$([ "$LOSS" = 0 ] || echo ' (nftables)')"
}

# Drops LOSS percent of the packets leaving and entering a host's namespace, at random.
add_loss() {
  command -v nft >/dev/null || die "NETBED_LOSS_PCT needs nftables: apt-get install nftables"
  local permille; permille=$(awk "BEGIN{printf \"%d\", $LOSS * 10}")
  ip netns exec "$1" nft add table inet netbed
  for hook in input output; do
    ip netns exec "$1" nft "add chain inet netbed $hook { type filter hook $hook priority 0 ; }"
    ip netns exec "$1" nft add rule inet netbed "$hook" iifname != lo oifname != lo numgen random mod 1000 '<' "$permille" counter drop
  done
}

down() {
  need_root
  for ns in $(hosts); do ip netns del "$ns"; done
  for f in "$DIR"/proxy*.pid; do [ -f "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }; done
  ip link show $BRIDGE >/dev/null 2>&1 && ip link del $BRIDGE
  if [ -f "$DIR/pg/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true; fi
  rm -rf "$DIR"
  echo "netbed: down"
}

status() {
  echo "bridge: $(ip -br addr show $BRIDGE 2>/dev/null || echo none)"
  for ns in $(hosts); do
    local i; i=$(host_index "$ns")
    echo "$ns: $(ip -n "$ns" -br addr show eth0 | awk '{print $2, $3}'), link $(ip -br link show "$VETH$i" | awk '{print $2}'), url $(url "$ns")"
  done
  if [ -f "$DIR/pg/postmaster.pid" ]; then echo "postgres: running on $BRIDGE_IP:$PG_PORT"; else echo "postgres: stopped"; fi
}

url() { local i; i=$(host_index "$1"); echo "postgres://postgres@$BRIDGE_IP:$((PROXY_BASE + i))/${2:-postgres}"; }

cmd=${1:-}
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  url) url "$@" ;;
  exec) need_root; ns=$1; shift; host_index "$ns" >/dev/null; exec ip netns exec "$ns" "$@" ;;
  cut) need_root; i=$(host_index "$1"); ip link set "$VETH$i" down; echo "netbed: $1 cut off" ;;
  heal) need_root; i=$(host_index "$1"); ip link set "$VETH$i" up; echo "netbed: $1 back" ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
