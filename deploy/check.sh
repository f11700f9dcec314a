#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster: both compose variants
# (syntax, interpolation, merge), and the Kubernetes manifests: the API schemas, then probes,
# securityContext, resources, writable paths, a PodDisruptionBudget per workload, the
# NetworkPolicies and no Secret in deploy/k8s/ (deploy/validate-k8s.mjs lists each rule).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "deploy/check.sh: docker-compose is not installed (Debian package docker-compose)" >&2
  exit 1
fi
docker-compose -f docker-compose.yml config -q
echo "deploy: docker-compose.yml is valid"
docker-compose -f docker-compose.yml -f docker-compose.postgres.yml config -q
echo "deploy: docker-compose.yml + docker-compose.postgres.yml is valid"
node deploy/validate-k8s.mjs
