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

scripts/build-base-image.sh
scripts/build-wheels.sh "$python"
# code_version() honours MOMENTUM_CODE_VERSION when set, else asks git.
version=$(PYTHONPATH=. "$python" -c \
  'from momentum_pipeline.foundation.provenance import code_version; print(code_version())')
echo "build-image: $tag (code version $version) from $BASE_IMAGE"
docker build --quiet --network "${DOCKER_BUILD_NETWORK:-none}" --file docker/Dockerfile \
  --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg BUILD_IMAGE="$BUILD_IMAGE" \
  --build-arg MOMENTUM_CODE_VERSION="$version" --tag "$tag" .
