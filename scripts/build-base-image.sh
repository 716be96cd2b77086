#!/usr/bin/env bash
# Base images for docker/Dockerfile on a machine that cannot pull from a registry:
# Debian bookworm (debootstrap --variant=minbase, from the mirror apt uses) with the
# host's pyenv Python 3.12, tagged like the official images they stand in for:
#
#   local/python:3.12-slim  runtime: Python, its libraries, Pango and fonts, QuickFIX's
#                           runtime (BASE_IMAGE)
#   local/python:3.12       the same plus g++, make and QuickFIX's headers, to compile the
#                           engine with its FIX venue (BUILD_IMAGE)
#
# A tag that already exists is kept while its label says it has these packages (a
# change to the lists below rebuilds it). Needs root (debootstrap, chroot) and a
# running Docker engine (scripts/dockerd.sh start).
set -euo pipefail
slim_tag=${BASE_IMAGE:-local/python:3.12-slim}
build_tag=${BUILD_IMAGE:-local/python:3.12}
python_prefix=${PYTHON_PREFIX:-$(pyenv prefix 3.12)}
# Shared libraries of Python's standard modules, of WeasyPrint (Pango, HarfBuzz) and
# of the manylinux wheels (libstdc++, libgomp); passwd for useradd.
runtime_packages=ca-certificates,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,zlib1g,\
libreadline8,libncursesw6,libstdc++6,libgomp1,tzdata,passwd,libpango-1.0-0,\
libpangoft2-1.0-0,libharfbuzz-subset0,fonts-dejavu-core,libquickfix17
# Both images get QuickFIX or neither: an engine built with it links libquickfix.so.17.
build_packages=(g++ make libquickfix-dev)

packages_label=$(echo "$runtime_packages ${build_packages[*]}" | sha256sum | cut -c1-16)
has_image() {  # with today's packages
  [[ $(docker image inspect -f '{{index .Config.Labels "momentum.base-packages"}}' "$1" 2>/dev/null) \
     == "$packages_label" ]]
}
if has_image "$slim_tag" && has_image "$build_tag"; then
  echo "build-base-image: $slim_tag and $build_tag exist"
  exit 0
fi
[[ -x $python_prefix/bin/python3.12 ]] \
  || { echo "build-base-image: no Python 3.12 at $python_prefix (set PYTHON_PREFIX)" >&2; exit 1; }

mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
         | awk '$2 == "bookworm" { print $1; exit }')
mirror=${mirror:-http://deb.debian.org/debian/}
work=$(mktemp -d /tmp/momentum-base.XXXXXX)
rootfs=$work/rootfs
trap 'umount "$rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT

import_rootfs() {  # tag: the root file system as an image, configured like python:3.12
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' --change "LABEL momentum.base-packages=$packages_label" \
    - "$1" >/dev/null
  echo "build-base-image: $1 ($(docker image inspect -f '{{.Size}}' "$1" | numfmt --to=iec))"
}

echo "build-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include="$runtime_packages" bookworm "$rootfs" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# Python: the host's pyenv prefix under /usr/local, without its tests and packages
# (pip comes from ensurepip; pyenv's scripts carry the host path in their shebangs).
tar -C "$python_prefix" -c \
  --exclude=./lib/python3.12/test --exclude='./lib/python3.12/site-packages/*' \
  --exclude='./bin/pip*' --exclude='./bin/idle*' --exclude='./bin/pydoc*' --exclude='./bin/2to3*' \
  . | tar -C "$rootfs/usr/local" -x
chroot "$rootfs" ldconfig
chroot "$rootfs" /usr/local/bin/python3.12 -m ensurepip --default-pip >"$work/ensurepip.log" 2>&1 \
  || { cat "$work/ensurepip.log" >&2; exit 1; }
ln -sf python3.12 "$rootfs/usr/local/bin/python"
ln -sf pip3 "$rootfs/usr/local/bin/pip"
chroot "$rootfs" python3 -c 'import ssl, sqlite3, lzma, bz2, ctypes, readline, zoneinfo'
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
has_image "$slim_tag" || import_rootfs "$slim_tag"

if ! has_image "$build_tag"; then
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  { chroot "$rootfs" apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive chroot "$rootfs" \
         apt-get install -y -qq --no-install-recommends "${build_packages[@]}"
  } >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
  umount "$rootfs/proc"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  : >"$rootfs/etc/resolv.conf"
  import_rootfs "$build_tag"
fi
