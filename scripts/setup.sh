#!/usr/bin/env bash
# Install everything reportkit's editions need: Debian fonts and tools, then the Python package.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts the editions use; poppler/qpdf/gettext/chromium for preflight and the tests
debs=(fonts-noto-core fonts-noto-cjk fonts-dejavu-core fontconfig poppler-utils qpdf gettext chromium)
command -v java >/dev/null 2>&1 || debs+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)
missing=()
for p in "${debs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
fi

# preflight's independent validators (Nu Html Checker, axe-core, playwright-core driving Debian's Chromium)
if [ ! -f tools/node_modules/.reportkit-installed ] || ! cmp -s tools/package.json tools/node_modules/.reportkit-installed; then
  npm install --prefix tools --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null
  cp tools/package.json tools/node_modules/.reportkit-installed
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "Running pip as the 'root' user" || true
python3 -c "import reportkit, typst, weasyprint, babel, yaml, jinja2" 
echo "reportkit is set up."
