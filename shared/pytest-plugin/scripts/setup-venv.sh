#!/usr/bin/env bash
# Create shared/pytest-plugin/.venv and install the plugin editable with its test extra.
# Idempotent: when the venv exists and the plugin is importable, it returns quickly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3

stamp="$venv/.setup-stamp"
want="$(sha1sum "$here/pyproject.toml" "${BASH_SOURCE[0]}" | sha1sum | cut -d' ' -f1)"
check='import pytest_platform.contract, redis, jsonschema, xdist'
[ -f /usr/lib/python3/dist-packages/pytest_rerunfailures.py ] && check="$check, pytest_rerunfailures"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
  echo "setup-venv: $venv is up to date"
  exit 0
fi

# The machine's pip config may list an unreachable default index next to a local one:
# do not spend minutes in retry back-off on it.
export PIP_RETRIES="${PIP_RETRIES:-0}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q -e "$here[test]"

# pytest-rerunfailures is not on the local Python index; Debian ships it.
# Install the Debian package (when we may) and expose ONLY that module to the venv
# through a private directory + .pth file, so Debian's other packages (its older
# pytest, pluggy, ...) never shadow the venv's.
deb_dir=/usr/lib/python3/dist-packages
if [ ! -f "$deb_dir/pytest_rerunfailures.py" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pytest-rerunfailures) >/dev/null 2>&1 \
    || echo "setup-venv: could not install python3-pytest-rerunfailures; rerun tests will be skipped" >&2
fi
if [ -f "$deb_dir/pytest_rerunfailures.py" ]; then
  shim="$venv/debian-rerunfailures"
  mkdir -p "$shim"
  ln -sf "$deb_dir/pytest_rerunfailures.py" "$shim/pytest_rerunfailures.py"
  for d in "$deb_dir"/pytest_rerunfailures-*.egg-info; do
    [ -e "$d" ] && ln -sfn "$d" "$shim/$(basename "$d")"
  done
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  echo "$shim" > "$site/debian-rerunfailures.pth"
  # pytest-rerunfailures 10.x imports pkg_resources
  "$venv/bin/python" -c 'import pkg_resources' >/dev/null 2>&1 || "$venv/bin/python" -m pip install -q setuptools
fi
echo "$want" > "$stamp"
echo "setup-venv: ready at $venv"
