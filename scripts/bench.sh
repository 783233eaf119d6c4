#!/usr/bin/env bash
# `make bench`: how long deploy.yml takes on test hosts, measured in one run.
#   fresh converge of one host; the no-op re-run (time and changed count) over 1, 4 and 8 hosts,
#   the median of BENCH_REPEAT runs (3); the floor (tests/bench/floor.yml: gather facts + ping) on
#   the same hosts, run after each no-op, its median too; each figure also as a ratio to its floor. The same no-op over 8 hosts is also timed without the tuning of
#   ansible.cfg (pipelining, smart gathering with the fact cache) to show what it buys.
# The hosts are systemd test hosts with a nested Docker engine (the Molecule platform settings),
# prepared as the lab-deploy scenario's running servers (its prepare.yml, group lab_running) and
# configured as its lab-a (molecule/lab-deploy/molecule.yml) less what lab-a takes from the lab's caches.
# Prints a table and writes it to .cache/bench/results.md. Needs `make setup` first.
# BENCH_HOSTS=n runs on fewer hosts; BENCH_KEEP=1 keeps the hosts, inventory and logs for a look.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
HOSTS=${BENCH_HOSTS:-8}
[ -x .venv/bin/ansible-playbook ] || { echo "run 'make setup' first" >&2; exit 2; }
# shellcheck disable=SC1091
source .venv/bin/activate
export ANSIBLE_COLLECTIONS_PATH="$REPO/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netai-bench.XXXXXX")
names=()
for i in $(seq 1 "$HOSTS"); do names+=("netai-bench-$i"); done

cleanup() {
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "kept: hosts ${names[*]}, inventory and logs in $WORK" >&2
    return
  fi
  docker rm -f "${names[@]}" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> $HOSTS test hosts"
for name in "${names[@]}"; do
  docker rm -f "$name" >/dev/null 2>&1 || true
  mkdir -p "$WORK/$name-docker"
  docker run -d --name "$name" --hostname "$name" \
    --cap-add SYS_ADMIN --cap-add NET_ADMIN \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns host \
    --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$WORK/$name-docker:/var/lib/docker" \
    -v /etc/ssl/certs/ca-certificates.crt:/usr/local/share/netai-test/host-ca.crt:ro \
    netai-vlm-testhost:debian13 /lib/systemd/systemd >/dev/null
done

# The lab-deploy scenario's inventory, for these hosts: each a running lab server (group lab_running:
# Docker, the stand-in images, the VSS upstream and a Hub from prepare) with lab-a's settings, less
# what lab-a takes from the controller's caches and the lab registry (weights, images, VSS bundle).
export MOLECULE_EPHEMERAL_DIRECTORY="$WORK"
python3 - "$REPO" "$WORK" "${names[@]}" <<'PY'
import sys
import yaml
repo, work, hosts = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(repo + "/molecule/lab-deploy/molecule.yml").read()
text = text.replace("${MOLECULE_PROJECT_DIRECTORY}", repo).replace("${MOLECULE_EPHEMERAL_DIRECTORY}", work)
inv = yaml.safe_load(text)["provisioner"]["inventory"]
from_lab = {"model_weights_source", "model_weights_hf_endpoint", "model_weights_cache_dir",
            "images_sources", "vss_checkout_bundle"}
host_vars = {k: v for k, v in inv["host_vars"]["lab-a"].items() if k not in from_lab}
host_vars["ansible_connection"] = "community.docker.docker"
group_vars = dict(inv["group_vars"]["vlm_servers"])
yaml.safe_dump({"all": {"vars": inv["group_vars"]["all"], "children": {
    "vlm_servers": {"vars": group_vars, "hosts": {h: host_vars for h in hosts}},
    "lab_running": {"hosts": {h: None for h in hosts}}}}}, open(work + "/inventory.yml", "w"))
PY

export ANSIBLE_CACHE_PLUGIN_CONNECTION="$WORK/facts"
run() {  # run LABEL LOG ansible-playbook args...: prints seconds; the log keeps the output
  local log=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >"$log" 2>&1 || { tail -40 "$log" >&2; echo "failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.1f", $2 - $1}'
}
changed() { grep -E '^\S+\s+: ok=' "$1" | sed -E 's/.*changed=([0-9]+).*/\1/' | awk '{s += $1} END {print s + 0}'; }
limit() { local IFS=:; echo "${names[*]:0:$1}"; }
PB=(ansible-playbook -i "$WORK/inventory.yml")

echo "==> prepare (stand-ins, Docker to load the stand-in images; not timed)"
# The Hub at full speed (lab-deploy throttles it to test the progress wait at length).
run "$WORK/prepare.log" "${PB[@]}" -e vlm_server_rollout_batch="$HOSTS" -e lab_hub_rate=0 molecule/lab-deploy/prepare.yml >/dev/null

echo "==> fresh converge of one host"
fresh=$(run "$WORK/fresh.log" "${PB[@]}" -l "${names[0]}" deploy.yml)
fresh_changed=$(changed "$WORK/fresh.log")
fresh_floor=$(run "$WORK/floor-fresh.log" "${PB[@]}" -l "${names[0]}" tests/bench/floor.yml)
if [ "$HOSTS" -gt 1 ]; then
  echo "==> converge the other hosts (not timed)"
  run "$WORK/rest.log" "${PB[@]}" -l "$(limit "$HOSTS")" -e vlm_server_rollout_batch="$HOSTS" deploy.yml >/dev/null
fi

median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Each no-op and its floor run REPEAT times, one after the other (this machine's speed drifts by
# several percent between runs); the table shows the medians and the most changed tasks seen.
REPEAT=${BENCH_REPEAT:-3}
rows=()
for n in 1 4 8; do
  [ "$n" -le "$HOSTS" ] || continue
  echo "==> no-op re-run over $n host(s), one batch ($REPEAT times, each with its floor)"
  ts=() fs=() c=0
  for r in $(seq 1 "$REPEAT"); do
    ts+=("$(run "$WORK/noop-$n-$r.log" "${PB[@]}" -l "$(limit "$n")" -e vlm_server_rollout_batch="$n" deploy.yml)")
    c=$(( $(changed "$WORK/noop-$n-$r.log") > c ? $(changed "$WORK/noop-$n-$r.log") : c ))
    fs+=("$(run "$WORK/floor-$n-$r.log" "${PB[@]}" -l "$(limit "$n")" tests/bench/floor.yml)")
  done
  rows+=("no-op re-run, $n host(s)|$(echo "${ts[*]}" | median)|$c|$(echo "${fs[*]}" | median)")
done
echo "==> the same over $HOSTS hosts without the tuning (no pipelining, implicit gathering, no fact cache)"
t=$(ANSIBLE_PIPELINING=False ANSIBLE_GATHERING=implicit ANSIBLE_CACHE_PLUGIN=memory \
  run "$WORK/noop-untuned.log" "${PB[@]}" -l "$(limit "$HOSTS")" -e vlm_server_rollout_batch="$HOSTS" deploy.yml)
c=$(changed "$WORK/noop-untuned.log")
f=$(ANSIBLE_PIPELINING=False ANSIBLE_GATHERING=implicit ANSIBLE_CACHE_PLUGIN=memory \
  run "$WORK/floor-untuned.log" "${PB[@]}" -l "$(limit "$HOSTS")" tests/bench/floor.yml)
rows+=("no-op re-run, $HOSTS hosts, untuned (one run)|$t|$c|$f")

mkdir -p .cache/bench
{
  echo "| run | seconds | changed | floor (s) | ratio to floor |"
  echo "|---|---:|---:|---:|---:|"
  printf '| fresh converge, 1 host | %s | %s | %s | %s |\n' "$fresh" "$fresh_changed" "$fresh_floor" \
    "$(echo "$fresh $fresh_floor" | awk '{printf "%.1f", $1 / $2}')"
  for row in "${rows[@]}"; do
    IFS='|' read -r label t c f <<<"$row"
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$t" "$c" "$f" "$(echo "$t $f" | awk '{printf "%.1f", $1 / $2}')"
  done
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs, $HOSTS test hosts (ansible-core $(ansible --version | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')); no-op rows: medians of $REPEAT runs."
} | tee .cache/bench/results.md
