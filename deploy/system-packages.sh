#!/usr/bin/env bash
# The Debian packages `make run` and `make test` need, installed when missing.
#
#   deploy/system-packages.sh python   Python 3.11+ that can create a venv (python3-venv), and
#                                        gcc with Python's headers (python3-dev) for setup.py
#   deploy/system-packages.sh run      + Java and Maven, for the local Kafka broker
#   deploy/system-packages.sh test     + kcat (the tests' independent topic reader) and
#                                        Prometheus (the real scraper, with promtool)
#
# Nothing missing: silent, exit 0. Missing and root: apt-get update, then one
# noninteractive apt-get install. Missing and not root: exit 1 with the command to run.
# PYTHON names the interpreter to check (default python3), as in the Makefile.
set -euo pipefail

profile=${1:-}
python=${PYTHON:-python3}

need() { # need COMMAND PACKAGE: PACKAGE is missing when COMMAND is not on PATH
  command -v "$1" >/dev/null || missing+=("$2")
}

check_python() {
  if ! command -v "$python" >/dev/null; then
    missing+=(python3 python3-venv)
    return
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "newswatch needs Python 3.11 or newer; $python is $("$python" -V 2>&1)." >&2
    echo "Debian 12 ships it as python3; or run with PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  # Debian moves ensurepip into python3-venv; without it `python3 -m venv` fails.
  "$python" -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
  # The engine's compiled modules (setup.py) need a C compiler and Python's headers.
  need gcc gcc
  "$python" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' ||
    missing+=(python3-dev)
}

collect_missing() {
  missing=()
  case "$profile" in
    python) check_python ;;
    run | test)
      check_python
      need java openjdk-17-jre-headless
      need mvn maven
      if [ "$profile" = test ]; then
        need kcat kcat
        need prometheus prometheus
        need promtool prometheus
      fi
      ;;
    *)
      echo "usage: $0 python|run|test" >&2
      exit 2
      ;;
  esac
  # Unique, in order (prometheus ships both prometheus and promtool).
  if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
  fi
}

collect_missing
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "newswatch ($profile) needs: ${missing[*]} (Debian package names); install them, then run make again." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "newswatch ($profile) needs these Debian packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

collect_missing
if [ ${#missing[@]} -gt 0 ]; then
  echo "still missing after apt-get install: ${missing[*]}" >&2
  exit 1
fi
