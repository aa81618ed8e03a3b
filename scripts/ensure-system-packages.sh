#!/usr/bin/env bash
# Makes sure the Debian packages the project needs are present (DESIGN.md §5).
# As root it installs what is missing; otherwise it stops and prints the command.
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0
  libharfbuzz-subset0  # without it WeasyPrint is ~70x slower on Chinese letters
  fonts-noto-cjk
  fonts-wqy-zenhei     # the letters' font (subsidy/letters/fonts.py)
  poppler-utils        # pdftoppm: tests look at what a letter draws
  postgresql           # throwaway test server; production database
  chromium             # browser tests through pytest-playwright
  gettext              # compilemessages (msgfmt)
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# npm ci installs axe-core for the browser tests' accessibility checks. Any Node.js with
# npm will do (NodeSource's nodejs package ships npm itself; Debian's needs "npm").
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing missing system packages: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "ERROR: missing system packages: ${missing[*]}" >&2
  echo "Fix with: sudo sh -c '$cmd'" >&2
  exit 1
fi
