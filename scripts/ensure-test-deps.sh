#!/usr/bin/env bash
# Installs what the test suite talks to when it is missing (Debian packages: redis-server, chromium,
# python3-pytest-rerunfailures, docker-compose for the deploy checks, postgresql), starts PostgreSQL
# when it does not answer, then the pytest plugin's virtualenv. apt-get needs root or sudo; elsewhere it says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=(redis-server postgresql chromium python3-pytest-rerunfailures docker-compose)
missing=()
for pkg in "${need[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" != 0 ] && [ -z "$sudo" ]; }; then
    echo "[test] the tests need: ${missing[*]} (Debian package names). Install them, then run again." >&2
    exit 1
  fi
  echo "[test] installing ${missing[*]} with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL for the Postgres half of the suite: start the local cluster when it is not answering.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -n "$version" ]; then
    echo "[test] starting PostgreSQL $version" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi

if [ -x shared/pytest-plugin/scripts/setup-venv.sh ]; then
  shared/pytest-plugin/scripts/setup-venv.sh >&2
fi
