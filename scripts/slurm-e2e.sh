#!/usr/bin/env bash
# End-to-end check of a sharded study on a real Slurm (run by .ci/run):
# installs Slurm from Debian's packages if missing, starts a one-node cluster on localhost
# (its own slurm.conf in a temporary directory, AuthType=auth/none: no munge), submits a
# 4-task array running a small risk study sharded 4 ways and the merge as a dependent job
# (scripts/slurm/submit.sh), waits, and compares the merged JSON, CSV and tables byte for
# byte with the unsharded run; then loses a part, finds it with `manto merge --missing`,
# re-runs that array task alone and checks the part comes back byte-identical; then a short
# `manto size boleo` in 3 shards, merged and compared the same way. Stops the daemons it
# started (trap on exit). Needs root.
#
#   scripts/slurm-e2e.sh [path/to/manto]     (default: target/release/manto, built if absent)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { echo "slurm-e2e: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
# Waits until none of the jobs (comma-separated ids) is queued or running, polling every
# half second for at most $2 seconds; dies naming $3 if they are still there.
wait_jobs() {
  local polls=$(($2 * 2))
  for _ in $(seq "$polls"); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] || die "$3 still queued after $2 s"
}

manto=${1:-$root/target/release/manto}
if [ ! -x "$manto" ]; then
  cargo build --release -p manto
fi
manto=$(cd "$(dirname "$manto")" && pwd)/$(basename "$manto")

# 1. Slurm from Debian's packages (never skipped: a missing Slurm is a failure).
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 ||
  ! command -v sbatch >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || die "slurm-wlm is not installed and this is not root"
  say "installing slurm-wlm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null ||
    die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
    slurm-wlm slurm-client >/dev/null || die "apt-get install slurm-wlm failed"
fi
[ "$(id -u)" -eq 0 ] || die "must run as root (slurmd runs jobs as any user)"

# 2. A one-node cluster of our own: config, state and logs under one temporary directory.
work=$(mktemp -d /tmp/manto-slurm-e2e.XXXXXX)
ctld_pid='' slurmd_pid=''
cleanup() {
  local rc=$?
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for pid in $slurmd_pid $ctld_pid; do kill "$pid" 2>/dev/null || true; done
  # Wait for them to go (at most 10 s), then insist.
  for _ in $(seq 50); do
    alive=0
    for pid in $slurmd_pid $ctld_pid; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  for pid in $slurmd_pid $ctld_pid; do kill -9 "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    for log in "$work"/*.log "$work"/out/*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # first port from $1 upwards nobody listens on
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
ctld_port=$(free_port 26817)
slurmd_port=$(free_port $((ctld_port + 1)))
node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/out"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=manto-e2e
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=e2e Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

say "$(sbatch --version): starting slurmctld and slurmd ($node, ports $ctld_port/$slurmd_port)"
slurmctld -D -i -f "$SLURM_CONF" >>"$work/slurmctld.log" 2>&1 &
ctld_pid=$!
slurmd -D -f "$SLURM_CONF" >>"$work/slurmd.log" 2>&1 &
slurmd_pid=$!
for _ in $(seq 60); do
  state=$(sinfo -h -n "$node" -o '%t' 2>/dev/null || true)
  case $state in idle* | mix* | alloc*) break ;; esac
  kill -0 "$ctld_pid" 2>/dev/null || die "slurmctld exited"
  kill -0 "$slurmd_pid" 2>/dev/null || die "slurmd exited"
  sleep 0.5
done
case $state in idle* | mix* | alloc*) ;; *) die "node $node not up (state '${state:-none}')" ;; esac
say "node $node is $state"

# 3. The study: a small Monte Carlo risk study (the bundled boleo-risk, 12 iterations on
# the fast path), sharded 4 ways; and the unsharded run.
study=(risk boleo-risk --iterations 12 --seed 11)
"$manto" "${study[@]}" --threads 1 -q --json "$work/full.json" --csv "$work/full.csv" \
  >"$work/full.txt" 2>/dev/null
export MANTO=$manto
ids=$(scripts/slurm/submit.sh 4 "$work/out" "${study[@]}")
say "submitted: $ids"
array=$(echo "$ids" | awk '{print $2}')
merge=$(echo "$ids" | awk '{print $4}')

# 4. Wait for the merge (it runs only once every shard succeeded), at most 5 minutes.
wait_jobs "$array,$merge" 300 "jobs"
for k in 0 1 2 3; do
  [ -s "$work/out/part-$k.json" ] || die "shard $k wrote no part"
done
[ -s "$work/out/result.json" ] || die "the merge job wrote no result (a shard failed: the merge was cancelled)"

# 5. Byte for byte.
for f in json csv txt; do
  cmp "$work/full.$f" "$work/out/result.$f" || die "merged $f differs from the unsharded run"
done
[ -z "$("$manto" merge --missing "$work"/out/part-*.json)" ] || die "merge --missing lists shards"

# 6. Failure and restart: lose shard 2, find it with --missing, re-run only it on Slurm,
# and get the same bytes back.
mv "$work/out/part-2.json" "$work/part-2.first.json"
[ "$("$manto" merge --missing "$work"/out/part-*.json)" = 2 ] || die "merge --missing does not list shard 2"
rerun=$(sbatch --parsable --array=2 --output="$work/out/rerun-%A_%a.log" \
  scripts/slurm/shard.sbatch "$work/out" 4 "${study[@]}")
rerun=${rerun%%;*}
wait_jobs "$rerun" 150 "the re-run of shard 2"
cmp "$work/part-2.first.json" "$work/out/part-2.json" || die "re-running shard 2 gave other bytes"
say "OK: 4 shards on Slurm (array $array, merge $merge) merged byte-identical to the unsharded run; shard 2 re-run (job $rerun) gave the same bytes"

# 7. Fleet sizing (its plan in the parts' options, not in the scenario): a short
# `manto size boleo` sharded 3 ways through the same scripts, merged byte for byte.
size=(size boleo --replications 3 --max-bolters 2 --max-haulers 2 --days 30 --seed 11)
"$manto" "${size[@]}" --threads 1 -q --json "$work/size.json" --csv "$work/size.csv" \
  >"$work/size.txt" 2>/dev/null
mkdir -p "$work/size"
ids=$(scripts/slurm/submit.sh 3 "$work/size" "${size[@]}")
array=$(echo "$ids" | awk '{print $2}')
merge=$(echo "$ids" | awk '{print $4}')
wait_jobs "$array,$merge" 300 "size jobs"
[ -s "$work/size/result.json" ] || die "the size merge wrote no result"
for f in json csv txt; do
  cmp "$work/size.$f" "$work/size/result.$f" || die "merged size $f differs from the unsharded run"
done
say "OK: manto size in 3 shards on Slurm (array $array, merge $merge) merged byte-identical to the unsharded run"
