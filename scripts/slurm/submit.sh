#!/usr/bin/env bash
# Submits a sharded manto study to Slurm: an array of N shards, then the merge as a job
# that starts only when every shard succeeded (afterok). Prints the two job ids.
#
#   scripts/slurm/submit.sh N OUTDIR COMMAND [FLAGS...]
#   scripts/slurm/submit.sh 64 /scratch/lom schedule --years 25 --replications 640
#   scripts/slurm/submit.sh 16 /scratch/size size boleo --replications 200   # size: name the scenario
#
# Extra sbatch options (partition, account, time) go in SBATCH_* variables or
# MANTO_SBATCH_OPTS, e.g. MANTO_SBATCH_OPTS="--partition=short --time=02:00:00".
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 N OUTDIR COMMAND [FLAGS...]" >&2
  exit 2
fi
n=$1 outdir=$2
shift 2
case $n in '' | *[!0-9]* | 0) echo "$0: N must be a positive integer, got '$n'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${MANTO_SBATCH_OPTS:-} --array=0-$((n - 1)) \
  --output="$outdir/shard-%A_%a.log" "$here/shard.sbatch" "$outdir" "$n" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
# --kill-on-invalid-dep: a failed shard cancels the merge instead of leaving it pending
# forever (rerun the failed shards, then submit merge.sbatch again).
merge=$(sbatch --parsable ${MANTO_SBATCH_OPTS:-} --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --output="$outdir/merge-%j.log" "$here/merge.sbatch" "$outdir")
merge=${merge%%;*}
echo "array $array merge $merge"
