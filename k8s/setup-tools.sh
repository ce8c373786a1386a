#!/usr/bin/env bash
# The tools that check Floe's Kubernetes manifests (KubernetesManifestsTest), under $1/k8s-tools
# (default .floe/k8s-tools), installed once and kept while this file and the schema generator are
# unchanged:
#   bin/kustomize, bin/kubeconform  from the Go module proxy (go install, pinned versions)
#   schemas/                        strict JSON schemas of Kubernetes $K8S for kubeconform, generated
#                                   from PyPI's kubernetes-validate (standalone_schemas.py says how):
#                                   no schema registry is reachable from these machines
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="$(mkdir -p "${1:-$here/../.floe}" && cd "${1:-$here/../.floe}" && pwd)"
tools="$home/k8s-tools"
KUSTOMIZE=v5.7.1
KUBECONFORM=v0.7.0
KUBERNETES_VALIDATE=1.37.0
K8S=1.33.0
# Every kind the manifests (and the Kubernetes runner's run pods) may use.
KINDS="namespace-v1 serviceaccount-v1 role-rbac-v1 rolebinding-rbac-v1 configmap-v1 secret-v1
  deployment-apps-v1 service-v1 networkpolicy-networking-v1 poddisruptionbudget-policy-v1
  horizontalpodautoscaler-autoscaling-v2 pod-v1"
stamp="$(cat "$0" "$here/standalone_schemas.py" | sha256sum | cut -c1-16)"
if [[ -x "$tools/bin/kustomize" && -x "$tools/bin/kubeconform" \
  && "$(cat "$tools/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  exit 0
fi
go="$(command -v go || echo /usr/local/go/bin/go)"
if [[ ! -x "$go" ]]; then
  echo "[floe] the Kubernetes manifests' checks need Go (kustomize, kubeconform): install Go 1.26" >&2
  exit 1
fi
echo "[floe] installing kustomize $KUSTOMIZE, kubeconform $KUBECONFORM and Kubernetes $K8S schemas into $tools" >&2
rm -rf "$tools"
mkdir -p "$tools/bin"
GOBIN="$tools/bin" GOFLAGS=-mod=mod "$go" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE"
GOBIN="$tools/bin" GOFLAGS=-mod=mod "$go" install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM"
wheel="$(mktemp -d)"
trap 'rm -rf "$wheel"' EXIT
"$home/dev-venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
  "kubernetes-validate==$KUBERNETES_VALIDATE" -d "$wheel"
# shellcheck disable=SC2086
"$home/dev-venv/bin/python" "$here/standalone_schemas.py" "$wheel"/*.whl "$K8S" "$tools/schemas" $KINDS
echo "$K8S" > "$tools/kubernetes-version"
echo "$stamp" > "$tools/.stamp"
