#!/usr/bin/env bash
# End-to-end check of deploy/base on a throw-away kind cluster: build the image, install cert-manager
# and the operator's CRDs, ConfigMap and Deployment, `kubectl apply -k deploy/base`, then prove that
# the API server calls both webhooks, that a replica can go away without a failed request, and that
# metrics are served.
#
# Needs Docker, kind and kubectl, and network access (images, cert-manager's and the operator's manifests).
# NOT run by `npm test` or in this repository's CI, which have no Docker engine: run it by hand.
#
#   docs/deploy-kind.sh                 # create, test, delete the cluster
#   KEEP_CLUSTER=1 docs/deploy-kind.sh  # leave the cluster running afterwards (kind delete cluster --name acid-guard-e2e)
set -euo pipefail

CLUSTER=${CLUSTER:-acid-guard-e2e}
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION:-v1.18.2}
OPERATOR_VERSION=${OPERATOR_VERSION:-v2.0.1}
OPERATOR_RAW="https://raw.githubusercontent.com/zalando/postgres-operator/${OPERATOR_VERSION}/manifests"

cd "$(dirname "$0")/.."
for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || { echo "deploy-kind: $tool is not installed" >&2; exit 2; }
done
docker info >/dev/null 2>&1 || { echo "deploy-kind: the Docker engine is not running" >&2; exit 2; }

VERSION=$(node -p "require('./webhook/package.json').version" 2>/dev/null || sed -n 's/.*"version": "\(.*\)".*/\1/p' webhook/package.json | head -1)
IMAGE="acid-guard-webhook:${VERSION}" # the tag deploy/base asks for; kind load makes it local
CONTEXT="kind-${CLUSTER}"
k() { kubectl --context "$CONTEXT" "$@"; }
step() { printf '\n== %s\n' "$*"; }
fail() { echo "deploy-kind: FAILED: $*" >&2; exit 1; }

cleanup() {
  if [[ "${KEEP_CLUSTER:-}" != 1 ]]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "build $IMAGE"
docker build -t "$IMAGE" .

step "create the kind cluster $CLUSTER (one control plane, two workers: the replicas spread)"
kind create cluster --name "$CLUSTER" --wait 180s --config - <<'KIND'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
  - role: worker
KIND
kind load docker-image "$IMAGE" --name "$CLUSTER"

step "install cert-manager $CERT_MANAGER_VERSION"
k apply -f "https://github.com/cert-manager/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml"
k -n cert-manager wait --for=condition=Available deployment --all --timeout=300s

step "install postgres-operator $OPERATOR_VERSION's CRDs, ConfigMap and Deployment (scaled to zero: the webhook reads them; nothing here needs the operator to create clusters)"
for crd in postgresql postgresteam; do
  k apply -f "${OPERATOR_RAW}/${crd}.crd.yaml"
  k wait --for=condition=Established "crd/${crd}s.acid.zalan.do" --timeout=60s
done
k create namespace postgres-operator --dry-run=client -o yaml | k apply -f -
k -n postgres-operator apply -f "${OPERATOR_RAW}/configmap.yaml"
k -n postgres-operator apply -f "${OPERATOR_RAW}/postgres-operator.yaml"
k -n postgres-operator scale deployment/postgres-operator --replicas=0

step "kubectl apply -k deploy/base"
k apply -k deploy/base
k -n acid-guard wait --for=condition=Ready certificate/acid-guard-webhook --timeout=120s
k -n acid-guard rollout status deployment/acid-guard-webhook --timeout=180s
for configuration in validatingwebhookconfiguration mutatingwebhookconfiguration; do
  for attempt in $(seq 1 60); do
    bundle=$(k get "$configuration" acid-guard -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
    [[ -n "$bundle" ]] && break
    [[ $attempt == 60 ]] && fail "cert-manager did not inject the CA into $configuration/acid-guard"
    sleep 2
  done
done
nodes=$(k -n acid-guard get pods -l app.kubernetes.io/name=acid-guard -o jsonpath='{.items[*].spec.nodeName}' | tr ' ' '\n' | sort -u | wc -l)
echo "replicas on $nodes node(s)"

work=$(mktemp -d)
trap 'rm -rf "$work"; cleanup' EXIT
cat >"$work/bad.yaml" <<'YAML'
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-e2e-bad
  namespace: default
spec:
  teamId: acid
  numberOfInstances: 1
  postgresql:
    version: "17"
  volume:
    size: 1Gi
  users:
    app_owner: [superuser, nosuperuser]
  databases:
    app: app_owner
YAML
sed -e 's/acid-e2e-bad/acid-e2e-repaired/' -e 's/version: "17"/version: 17/' \
  -e 's/\[superuser, nosuperuser\]/[createdb]/' "$work/bad.yaml" >"$work/repaired.yaml"

step "validate: a manifest with conflicting user flags is denied, with the field path"
if k apply -f "$work/bad.yaml" 2>"$work/denied.txt"; then fail "the bad manifest was admitted"; fi
cat "$work/denied.txt"
grep -q 'denied the request' "$work/denied.txt" || fail "no denial from the webhook"
grep -q 'spec.users\[app_owner\]' "$work/denied.txt" || fail "the denial has no field path"

step "mutate: version: 17 (a number, which the CRD refuses) is repaired to \"17\" before the schema check"
k apply -f "$work/repaired.yaml"
[[ $(k get postgresql acid-e2e-repaired -o jsonpath='{.spec.postgresql.version}') == 17 ]] || fail "version not repaired"

step "availability: delete one replica while a server-side dry run is sent every half second for 20 s"
good=examples/good/acid-orders.yaml
pod=$(k -n acid-guard get pods -l app.kubernetes.io/name=acid-guard -o jsonpath='{.items[0].metadata.name}')
k -n acid-guard delete pod "$pod" --wait=false
failures=0
for _ in $(seq 1 40); do
  k apply --dry-run=server -f "$good" >/dev/null 2>>"$work/dry-run.txt" || failures=$((failures + 1))
  sleep 0.5
done
echo "failed dry runs: $failures of 40"
[[ $failures == 0 ]] || { cat "$work/dry-run.txt"; fail "requests failed while a replica was replaced"; }
k -n acid-guard rollout status deployment/acid-guard-webhook --timeout=120s

step "metrics of each replica, through the API server's pod proxy"
served=0
for pod in $(k -n acid-guard get pods -l app.kubernetes.io/name=acid-guard -o jsonpath='{.items[*].metadata.name}'); do
  k get --raw "/api/v1/namespaces/acid-guard/pods/https:${pod}:8443/proxy/metrics" >"$work/metrics.txt"
  grep -q '^# TYPE acid_guard_webhook_requests_total counter' "$work/metrics.txt" || fail "$pod serves no webhook metrics"
  echo "$pod:"
  grep -E '^acid_guard_webhook_requests_total\{' "$work/metrics.txt" || true
  grep -q 'route="validate"' "$work/metrics.txt" && served=$((served + 1))
done
[[ $served -gt 0 ]] || fail "no replica counted a validate request"

k delete -f "$work/repaired.yaml" --wait=false >/dev/null || true
step "all checks passed"
