#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, from Debian's slurm-wlm and munge packages, for the
# tests and for trying chathpc's srun paths without a real cluster.
#
#   scripts/slurm-local.sh up       start munged, slurmctld and slurmd (installs the packages as root with apt)
#   scripts/slurm-local.sh status   exit 0 when the node answers idle/mixed/allocated, 1 otherwise
#   scripts/slurm-local.sh down     cancel every job and stop the daemons, munged too when `up` started it
#   scripts/slurm-local.sh env      print the export line that points Slurm's clients at this cluster
#
# Everything lives under CHATHPC_SLURM_DIR (default /tmp/chathpc-slurm): slurm.conf, state, spool,
# logs and pid files. Clients need SLURM_CONF=$CHATHPC_SLURM_DIR/slurm.conf (`env` prints it).
# The node declares CHATHPC_SLURM_CPUS CPUs (default 8, more than the cores, so that correctness
# runs up to 8 ranks are scheduled instead of queueing; timing runs must not rely on them).
set -euo pipefail
dir=${CHATHPC_SLURM_DIR:-/tmp/chathpc-slurm}
cpus=${CHATHPC_SLURM_CPUS:-8}
conf="$dir/slurm.conf"
munge_marker=/run/munge/chathpc-slurm-local.started
export SLURM_CONF="$conf"

die() { echo "slurm-local: $*" >&2; exit 1; }

install_packages() {
  command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 ||
    die "slurmctld/munged not found: install Debian's slurm-wlm and munge packages (needs root)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
}

node_state() { sinfo -h -N -o '%T' 2>/dev/null | head -n 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
  [ "$(id -u)" = 0 ] || die "up needs root (the daemons run as root here)"
  install_packages
  mkdir -p "$dir"/{state,spool,log,run}
  # munge: one key, the daemon as user munge
  if ! pid_alive /run/munge/munged.pid && ! pgrep -x munged >/dev/null 2>&1; then
    mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
    if [ ! -s /etc/munge/munge.key ]; then
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 400 /etc/munge/munge.key
    chmod 755 /run/munge
    if runuser -u munge -- munged; then
      touch "$munge_marker"  # a cluster of this script started munged: the last one's down stops it
    else
      pgrep -x munged >/dev/null 2>&1 || die "munged did not start"  # else another cluster's up started it meanwhile
    fi
  fi
  local host
  host=$(hostname -s)
  cat > "$conf" <<EOF
ClusterName=chathpc-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${CHATHPC_SLURM_PORT:-6817}
SlurmdPort=$(( ${CHATHPC_SLURM_PORT:-6817} + 1 ))
InactiveLimit=0
KillWait=5
MinJobAge=60
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  pid_alive "$dir/run/slurmctld.pid" || slurmctld -f "$conf"
  pid_alive "$dir/run/slurmd.pid" || slurmd -f "$conf"
  for _ in $(seq 1 60); do
    case "$(node_state)" in
      idle*|mixed*|allocated*) echo "slurm-local: up ($host, $cpus CPUs); export SLURM_CONF=$conf"; return 0 ;;
    esac
    sleep 0.5
  done
  die "the node did not come up within 30 s (see $dir/log/)"
}

status() {
  local state
  state=$(node_state)
  case "$state" in
    idle*|mixed*|allocated*) echo "slurm-local: $state (SLURM_CONF=$conf)"; return 0 ;;
    *) echo "slurm-local: not running${state:+ (node $state)}"; return 1 ;;
  esac
}

down() {
  scancel --quiet --user="$(id -un)" 2>/dev/null || true
  for name in slurmd slurmctld; do
    local pidfile="$dir/run/$name.pid"
    if pid_alive "$pidfile"; then
      local pid
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  # step daemons (slurmstepd) of this cluster outlive slurmd: kill those whose SLURM_CONF is ours
  local pid
  for pid in $(pgrep -x slurmstepd 2>/dev/null || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$conf"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  # munged serves every cluster on this machine: stopped when this script started it and no cluster runs any more
  if [ -f "$munge_marker" ] && pid_alive /run/munge/munged.pid && ! pgrep -x slurmctld >/dev/null 2>&1; then
    local munged
    munged=$(cat /run/munge/munged.pid)
    kill "$munged" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$munged" 2>/dev/null || break; sleep 0.25; done
    rm -f "$munge_marker"
  fi
  echo "slurm-local: down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) die "usage: scripts/slurm-local.sh up|down|status|env" ;;
esac
