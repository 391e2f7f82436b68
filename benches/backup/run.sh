#!/usr/bin/env bash
# The benchmark of `drconsole backup dynamodb --export` (README, "Benchmark: backup dynamodb"):
# starts moto_server on a free loopback port, makes the plan's tables x1 and x10 afresh before
# every run, and times drconsole and the plan's backup-dynamodb.sh as whole processes.
# Arguments go to the benchmark, e.g.
#   benches/backup/run.sh --scales 10 --runs 3 --record
# BACKUP_BENCH_PROFILE=dev builds it without optimisation (faster to build, slower to run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "installing moto_server (python3 -m pip install 'moto[server]')" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.2.1,<5.3'
fi
# The plan's script needs the AWS CLI; the validate benchmark's private one if there is no other.
if ! command -v aws >/dev/null 2>&1; then
    venv="$here/../validate/.venv"
    if [ ! -x "$venv/bin/aws" ]; then
        echo "installing the AWS CLI into $venv (pip install awscli)" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check awscli
    fi
    export PATH="$venv/bin:$PATH"
fi

exec cargo bench --profile "${BACKUP_BENCH_PROFILE:-bench}" --bench backup -- "$@"
