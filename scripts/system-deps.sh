#!/usr/bin/env bash
# System packages the tests need on a fresh Debian machine: g++, CMake and GoogleTest
# for the C++ order engine (the package build and its ctest), poppler-utils
# (pdftoppm) for report checks, docker.io and debootstrap for the container tests,
# Pango, HarfBuzz's subsetter and DejaVu fonts for weasyprint's PDF report. Installs
# only what is missing.
set -euo pipefail
packages=(g++ cmake libgtest-dev poppler-utils docker.io debootstrap
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
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
