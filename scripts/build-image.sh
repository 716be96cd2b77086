#!/usr/bin/env bash
# The pipeline's image, built with no network access from the build: the base images
# (scripts/build-base-image.sh), the wheel folder (scripts/build-wheels.sh), then
# docker/Dockerfile with the host's code version, so containers record the same
# provenance as the host.
#
#   scripts/build-image.sh [TAG]        default TAG: momentum-pipeline:latest
#
# BASE_IMAGE / BUILD_IMAGE choose other base images (official ones: python:3.12-slim-
# bookworm / python:3.12-bookworm, with DOCKER_BUILD_NETWORK=default for apt).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-momentum-pipeline:latest}
python=${PYTHON:-python3.12}
export BASE_IMAGE=${BASE_IMAGE:-local/python:3.12-slim}
export BUILD_IMAGE=${BUILD_IMAGE:-local/python:3.12}
# A cold build adds about 3 GB under the engine's root (the dependency stage stays as
# the next build's cache); failing here names the cause, where a full disk fails deep
# inside a layer with "no space left on device".
need_gb=${DOCKER_BUILD_FREE_GB:-5}
docker_root=$(docker info --format '{{.DockerRootDir}}')
if [[ -d $docker_root ]]; then
  free_gb=$(df -Pk "$docker_root" | awk 'NR == 2 {print int($4 / 1048576)}')
  if (( free_gb < need_gb )); then
    echo "build-image: $docker_root has $free_gb GB free, a build needs $need_gb GB;" \
      "make docker-clean removes what earlier builds left (DOCKER_BUILD_FREE_GB to change)" >&2
    exit 1
  fi
fi

scripts/build-base-image.sh
scripts/build-wheels.sh "$python"
# code_version() honours MOMENTUM_CODE_VERSION when set, else asks git.
version=$(PYTHONPATH=. "$python" -c \
  'from momentum_pipeline.foundation.provenance import code_version; print(code_version())')
echo "build-image: $tag (code version $version) from $BASE_IMAGE"
docker build --quiet --network "${DOCKER_BUILD_NETWORK:-none}" --file docker/Dockerfile \
  --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg BUILD_IMAGE="$BUILD_IMAGE" \
  --build-arg MOMENTUM_CODE_VERSION="$version" --tag "$tag" .
