#!/usr/bin/env bash
# Wheels of every runtime dependency and build tool of the image, built on the host
# into build/wheels, so `docker build` installs offline (--no-index --find-links).
#
# The folder is reused while constraints.txt, pyproject.toml and this script are
# unchanged (the key is their hash). Needs Python 3.12: the wheels must match the
# image's Python. Usage: scripts/build-wheels.sh [PYTHON] (default python3.12).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-${PYTHON:-python3.12}}
wheels=build/wheels
key_file=$wheels/.key

"$python" -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version' \
  || { echo "build-wheels: $python is not Python 3.12 (the image's Python)" >&2; exit 1; }
key=$(cat constraints.txt pyproject.toml scripts/build-wheels.sh | sha256sum | cut -c1-16)
if [[ -f $key_file && $(cat "$key_file") == "$key" ]]; then
  echo "build-wheels: $wheels is up to date ($key)"
  exit 0
fi

rm -rf "$wheels"
mkdir -p "$wheels"
# requirements.txt: the runtime dependencies, which the image installs before the
# project. Wheels are also made for the build requirements, plus CMake and Ninja for
# build images without them (scikit-build-core asks for them then).
mapfile -t build_requirements < <("$python" - "$wheels/requirements.txt" <<'PY'
import sys
import tomllib
with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)
with open(sys.argv[1], "w") as handle:
    handle.write("\n".join(project["project"]["dependencies"]) + "\n")
print(*project["build-system"]["requires"], "cmake", "ninja", sep="\n")
PY
)
echo "build-wheels: $wheels/requirements.txt and ${build_requirements[*]}"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip wheel --quiet --wheel-dir "$wheels" \
  --constraint constraints.txt --requirement "$wheels/requirements.txt" "${build_requirements[@]}"
echo "$key" >"$key_file"
echo "build-wheels: $(ls "$wheels" | wc -l) files, $(du -sh "$wheels" | cut -f1)"
