#!/usr/bin/env bash
# The benchmark of `drconsole validate` (README, "Benchmark: validate"): starts moto_server on a
# free loopback port, seeds the plan's estate x1 and x10, and times `drconsole validate`, the
# plan's monthly-backup-test.sh (verbatim and extended to every table and bucket) and the naive
# approach as whole processes. Arguments go to the benchmark, e.g.
#   benches/validate/run.sh --scales 1 --runs 5 --only validate,naive --record
# VALIDATE_BENCH_PROFILE=dev builds it without optimisation (faster to build, slower to run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "installing moto_server (python3 -m pip install 'moto[server]')" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.2.1,<5.3'
fi
# The plan's script needs the AWS CLI (and bc); without one on the PATH, a private one.
if ! command -v aws >/dev/null 2>&1; then
    if [ ! -x "$here/.venv/bin/aws" ]; then
        echo "installing the AWS CLI into $here/.venv (pip install awscli)" >&2
        python3 -m venv "$here/.venv"
        "$here/.venv/bin/pip" install --quiet --disable-pip-version-check awscli
    fi
    export PATH="$here/.venv/bin:$PATH"
fi
command -v bc >/dev/null 2>&1 || { echo "the plan's script needs bc (apt-get install bc)" >&2; exit 1; }

exec cargo bench --profile "${VALIDATE_BENCH_PROFILE:-bench}" --bench validate -- "$@"
