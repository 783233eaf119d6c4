#!/usr/bin/env bash
# The one test command (`make test`). Stages, in order:
#   lint      yamllint + ansible-lint (production profile, offline) + mypy on plugins/
#   sanity    ansible-test sanity --local on the checkout (tests/sanity/ignore-*.txt: its links) and
#             on the built artifact (what Galaxy's import runs: no ignore entry)
#   unit      ansible-test units --local (tests/unit/plugins/...), pytest on the stand-ins' promises (tests/standins)
#   ee        the execution environment: ansible-builder create, and every controller-side import
#             and program declared in meta/execution-environment.yml (tests/ee)
#   syntax    ansible-playbook --syntax-check of deploy.yml and playbooks/*.yml
#   build     ansible-galaxy collection build + install, then use roles and modules by FQCN
#   molecule  every Molecule scenario of every role (roles/*/molecule/*) and of the collection
# Usage: scripts/test.sh [STAGE...]         (default: all stages)
#        ROLE=docker scripts/test.sh        (only that role's Molecule scenarios)
#        ROLE=docker SCENARIO=docker-ce scripts/test.sh
# Exits non-zero when any stage fails; ends with a summary table.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/ansible-playbook" ]; then
  echo "no $VENV with the pinned tools: run 'make setup' first" >&2
  exit 2
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
export ANSIBLE_COLLECTIONS_PATH="$REPO/collections"
export ANSIBLE_NOCOLOR=1 NO_COLOR=1 PY_COLORS=0 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_LOCAL_TEMP="${TMPDIR:-/tmp}/netai-ansible-local"

LOG_DIR=${TEST_LOG_DIR:-.cache/test-logs}
mkdir -p "$LOG_DIR"
names=() results=() seconds=()

run_stage() {
  local name=$1; shift
  local log="$LOG_DIR/${name//\//_}.log" start rc
  printf '\n=== %s ===\n' "$name"
  start=$(date +%s)
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  names+=("$name"); seconds+=($(( $(date +%s) - start )))
  if [ "$rc" -eq 0 ]; then results+=(passed); else results+=(FAILED); fi
  return 0
}

stage_lint() {
  yamllint -s . && ansible-lint && (cd collections && mypy --config-file ../mypy.ini -p ansible_collections.netai.vlm_server.plugins)
}

stage_sanity() {
  scripts/ansible-test.sh sanity && ARTIFACT=1 scripts/ansible-test.sh sanity
}

stage_unit() {
  scripts/ansible-test.sh units && pytest tests/standins
}

stage_ee() {
  pytest tests/ee
}

stage_syntax() {
  local rc=0 playbook
  for playbook in deploy.yml playbooks/*.yml; do
    [ -e "$playbook" ] || continue
    ansible-playbook --syntax-check "$playbook" || rc=1
  done
  return $rc
}

stage_build() {
  local tmp rc
  tmp=$(mktemp -d)
  # A subshell on its own (not in an || list, where bash would ignore set -e).
  (
    set -e
    # The vault is never committed: git ignores it wherever the lab puts it.
    for v in group_vars/vlm_servers/vault.yml group_vars/all/vault.yml host_vars/sv4000-2/vault.yml inventory/vault.yml; do
      git -C "$REPO" check-ignore -q "$v" || { echo "git would commit $v: vault.yml must stay ignored" >&2; exit 1; }
    done
    ansible-galaxy collection build --force --output-path "$tmp" .
    artifact=$(ls "$tmp"/netai-vlm_server-*.tar.gz)
    # Never in the artifact: the checkout's links and caches, nor the lab's configuration (the vault).
    if tar -tzf "$artifact" | grep -E '^(collections|\.venv|\.cache|inventory|group_vars|host_vars|playbooks/(group|host)_vars|molecule/lab-deploy/group_vars)(/|$)|^ansible\.cfg$|(^|/)vault\.yml$'; then
      echo 'the artifact holds paths it must not (listed above)' >&2; exit 1
    fi
    cd "$tmp"  # no ansible.cfg here: only the installed artifact provides netai.vlm_server
    export ANSIBLE_COLLECTIONS_PATH="$tmp/installed"
    ansible-galaxy collection install --no-deps --force -p "$tmp/installed" "$artifact"
    # Every module, filter and role documents itself from the installed artifact.
    # (ansible-doc exits 0 with a warning when a plugin is missing: check what it printed.)
    for f in "$REPO"/plugins/modules/*.py; do
      n=$(basename "$f" .py); ansible-doc "netai.vlm_server.$n" | grep "MODULE.*netai.vlm_server.$n" >/dev/null
    done
    for f in "$REPO"/plugins/filter/*.py; do
      n=$(basename "$f" .py); ansible-doc -t filter "netai.vlm_server.$n" | grep "FILTER.*netai.vlm_server.$n" >/dev/null
    done
    for r in "$REPO"/roles/*/; do
      n=$(basename "$r"); ansible-doc -t role "netai.vlm_server.$n" | grep "ROLE.*netai.vlm_server.$n" >/dev/null
    done
    ansible localhost -m netai.vlm_server.docker_daemon_config \
      -a "{\"path\": \"$tmp/daemon.json\", \"config\": {\"live-restore\": true}}" >/dev/null
    grep -q '"live-restore": true' "$tmp/daemon.json"
    printf -- '- name: FQCN check\n  hosts: localhost\n  gather_facts: false\n  roles:\n    - role: netai.vlm_server.docker\n' >fqcn.yml
    ansible-playbook --syntax-check fqcn.yml
    echo "artifact $(basename "$artifact"): modules and roles work by FQCN"
  )
  rc=$?
  rm -rf "$tmp"
  return $rc
}

scenarios() {
  local dir
  for dir in roles/*/molecule/*/ molecule/*/; do
    [ -f "$dir/molecule.yml" ] || continue
    case "$dir" in
      roles/*) [ -z "${ROLE:-}" ] || [ "$dir" != "${dir#roles/"$ROLE"/}" ] || continue ;;
      molecule/*) [ -z "${ROLE:-}" ] || continue ;;
    esac
    [ -z "${SCENARIO:-}" ] || [ "$(basename "$dir")" = "$SCENARIO" ] || continue
    echo "${dir%/}"
  done
}

stage_molecule_one() {
  local dir=$1 project scenario
  scenario=$(basename "$dir")
  project=$(dirname "$(dirname "$dir")")   # roles/<role> or . for collection scenarios
  (cd "$project" && molecule test -s "$scenario")
}

if [ -n "${ROLE:-}" ]; then
  [ -d "roles/$ROLE" ] || { echo "no role roles/$ROLE" >&2; exit 2; }
  stages=(molecule)
elif [ $# -gt 0 ]; then
  stages=("$@")
else
  stages=(lint sanity unit ee syntax build molecule)
fi

for stage in "${stages[@]}"; do
  case "$stage" in
    lint|sanity|unit|ee|syntax|build) run_stage "$stage" "stage_$stage" ;;
    molecule)
      mapfile -t dirs < <(scenarios)
      [ ${#dirs[@]} -gt 0 ] || { echo "no Molecule scenario matches ROLE=${ROLE:-} SCENARIO=${SCENARIO:-}" >&2; exit 2; }
      for dir in "${dirs[@]}"; do
        label=${dir#roles/}; run_stage "molecule:${label/\/molecule\//\/}" stage_molecule_one "$dir"
      done
      ;;
    *) echo "unknown stage '$stage' (lint, sanity, unit, ee, syntax, build, molecule)" >&2; exit 2 ;;
  esac
done

passed=0 failed=0
printf '\n%-52s %-8s %s\n' STAGE RESULT SECONDS
for i in "${!names[@]}"; do
  printf '%-52s %-8s %s\n' "${names[$i]}" "${results[$i]}" "${seconds[$i]}"
  if [ "${results[$i]}" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
printf 'logs: %s\n' "$LOG_DIR"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
