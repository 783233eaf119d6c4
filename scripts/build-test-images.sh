#!/usr/bin/env bash
# Builds the systemd test-host images the Molecule scenarios run (no registry is
# reachable, so nothing is pulled): debootstrap a minimal Debian, import it; then the
# stand-in service images built on the Debian 13 one. Skips a test-host image whose tag exists. The Debian mirror is read from the host's own
# apt sources (override with DEBIAN_MIRROR).
set -euo pipefail

IMAGE_REPO=${TEST_IMAGE_REPO:-netai-vlm-testhost}
SUITES=${TEST_IMAGE_SUITES:-"bookworm:debian12 trixie:debian13"}
# python3-apt: like a real server (Ubuntu ships it); Ansible's apt module needs it in check mode.
INCLUDE=python3,python3-apt,systemd,systemd-sysv,sudo,ca-certificates,iproute2,procps,curl,gnupg
# An image is rebuilt when the recipe (this script) changes: its hash is a label on the image.
RECIPE=$(sha256sum "$0" | cut -c1-16)

mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hsE '^deb ' /etc/apt/sources.list 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$m" ] || { echo "no Debian mirror found in the host's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
  echo "$m"
}

for pair in $SUITES; do
  suite=${pair%%:*}; tag=${pair##*:}
  image="$IMAGE_REPO:$tag"
  have=$(docker image inspect -f '{{ index .Config.Labels "netai.test-image.recipe" }}' "$image" 2>/dev/null || true)
  if [ "$have" = "$RECIPE" ]; then
    echo "==> test-host image $image present (recipe $RECIPE)"
    continue
  fi
  m=$(mirror)
  root=$(mktemp -d "/var/tmp/testhost-$suite.XXXXXX")
  echo "==> building test-host image $image (debootstrap $suite from $m)"
  debootstrap --variant=minbase --include="$INCLUDE" "$suite" "$root" "$m" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; rm -rf "$root"; exit 1; }
  # The same mirror inside the image, so that apt works in the test hosts.
  rm -f "$root/etc/apt/sources.list"
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$m" "$suite" "$suite" >"$root/etc/apt/sources.list.d/debian.sources"
  # No pointless units in a container test host.
  rm -f "$root/etc/systemd/system/getty.target.wants/"* 2>/dev/null || true
  tar -C "$root" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' \
    -c "LABEL netai.test-image.recipe=$RECIPE" - "$image" >/dev/null
  rm -rf "$root" "$root.log"
done

# The STAND-IN service images (vLLM, via-server) the scenarios load into their test hosts. The
# scenarios rebuild them from the layer cache each run (a changed stand-in is never tested
# stale); building them here once keeps their Debian package downloads out of `make test`.
for standin in vllm-openai:standin_vllm via-server:standin_via_server; do
  image="netai-standin/${standin%%:*}:test"
  echo "==> building stand-in image $image"
  docker build -q -t "$image" "$(dirname "$0")/../tests/fixtures/${standin##*:}" >/dev/null
done
