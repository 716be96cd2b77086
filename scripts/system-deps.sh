#!/usr/bin/env bash
# The Debian packages momentum-pipeline needs, installed if missing (apt-get, through
# sudo unless root):
#
#   scripts/system-deps.sh demo   to build and run it: g++ and CMake (the C++ order
#                                 engine is compiled by pip install), QuickFIX's runtime
#                                 (an engine built with QuickFIX links it), Pango,
#                                 HarfBuzz's subsetter and DejaVu fonts (weasyprint's PDF report)
#   scripts/system-deps.sh test   the above, plus GoogleTest (the engine's ctest),
#                                 QuickFIX (the FIX venue and its simulator, tested
#                                 by ctest), poppler-utils (pdftoppm, report page
#                                 checks), docker.io and debootstrap (the container tests)
set -euo pipefail
demo=(g++ cmake libquickfix17 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
test=("${demo[@]}" libgtest-dev libquickfix-dev poppler-utils docker.io debootstrap)
case ${1:-test} in
  demo) packages=("${demo[@]}") ;;
  test) packages=("${test[@]}") ;;
  *) echo "system-deps.sh: demo or test, not $1" >&2; exit 2 ;;
esac
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
