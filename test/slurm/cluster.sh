#!/usr/bin/env bash
# A real single-node Slurm cluster (slurmctld + slurmd, munge authentication) for the batch tests.
#   test/slurm/cluster.sh start STATE_DIR   -> prints the SLURM_CONF path on its last line once the node is idle
#   test/slurm/cluster.sh stop STATE_DIR
# Needs root and Debian's slurm-wlm and munge packages (.ci/run installs them). Everything lives in STATE_DIR:
# munge key and socket, slurm.conf, spool, state and logs; nothing is written to /etc or /var.
set -euo pipefail
cmd=${1:?start|stop}
state=$(realpath -m "${2:?state dir}")
here=$(cd "$(dirname "$0")" && pwd)

stop() {
  for p in slurmd slurmctld; do
    [ -f "$state/$p.pid" ] && kill "$(cat "$state/$p.pid")" 2>/dev/null || true
  done
  [ -f "$state/munge/munged.pid" ] && kill "$(cat "$state/munge/munged.pid")" 2>/dev/null || true
  sleep 1
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "the test cluster runs its daemons as root" >&2; exit 1; }
for b in munged mungekey slurmctld slurmd sinfo; do command -v "$b" >/dev/null || { echo "$b not found: apt-get install slurm-wlm munge" >&2; exit 1; }; done

mkdir -p "$state/munge" "$state/ctld" "$state/slurmd"
chmod 700 "$state/munge"
[ -f "$state/munge/munge.key" ] || mungekey --create --keyfile="$state/munge/munge.key" --force
chmod 600 "$state/munge/munge.key"
munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
  --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" --seed-file="$state/munge/munged.seed"

host=$(hostname -s)
mem=$(awk '/MemTotal/ {print int($2/1024/2)}' /proc/meminfo)
sed -e "s#@STATE@#$state#g" -e "s#@HOST@#$host#g" -e "s#@CPUS@#$(nproc)#g" -e "s#@MEM@#$mem#g" \
  -e "s#@CTLD_PORT@#${GLIOFUSE_SLURMCTLD_PORT:-16817}#g" -e "s#@SLURMD_PORT@#${GLIOFUSE_SLURMD_PORT:-16818}#g" \
  "$here/slurm.conf.in" > "$state/slurm.conf"
export SLURM_CONF="$state/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qx 'idle'; then echo "$SLURM_CONF"; exit 0; fi
  sleep 1
done
echo "the Slurm node did not become idle within 60 s; logs in $state:" >&2
tail -n 20 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
stop
exit 1
