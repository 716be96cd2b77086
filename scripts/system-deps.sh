#!/usr/bin/env bash
# System packages the tests need on a fresh Debian machine: GoogleTest for the C++
# engine's ctest, poppler-utils (pdftoppm) for report checks, docker.io and
# debootstrap for the container tests. Installs only what is missing.
set -euo pipefail
packages=(libgtest-dev poppler-utils docker.io debootstrap)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "system-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
