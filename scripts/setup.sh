#!/usr/bin/env bash
# Install everything reportkit's editions need: Debian fonts and tools, then the Python package.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts the editions use; poppler/qpdf/gettext/chromium for preflight and the tests
debs=(fonts-noto-core fonts-noto-cjk fonts-dejavu-core fontconfig poppler-utils qpdf gettext chromium pandoc)
# Ubuntu's `chromium` package only installs the snap, which does not run in a container (no snapd):
# there Chromium comes from Google's signed apt repository (google-chrome-stable) instead, or the
# Chrome a GitHub runner already has, linked as /usr/local/bin/chromium. Debian is unchanged.
ubuntu=false
if [ -r /etc/os-release ] && . /etc/os-release && [ "${ID:-}" = "ubuntu" ]; then
  ubuntu=true
  kept=(); for p in "${debs[@]}"; do [ "$p" = chromium ] || kept+=("$p"); done; debs=("${kept[@]}")
fi
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
if $ubuntu && ! { command -v chromium >/dev/null 2>&1 && [ "$(readlink -f "$(command -v chromium)")" != /snap/bin/chromium ] \
                  && ! grep -qs snap "$(command -v chromium)"; }; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  chrome=$(command -v google-chrome-stable || command -v google-chrome || true)
  if [ -z "$chrome" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ca-certificates curl gnupg >/dev/null
    curl -fsSL https://dl.google.com/linux/linux_signing_key.pub | $SUDO gpg --dearmor --yes -o /usr/share/keyrings/google-chrome.gpg
    echo "deb [arch=amd64 signed-by=/usr/share/keyrings/google-chrome.gpg] https://dl.google.com/linux/chrome/deb/ stable main" \
      | $SUDO tee /etc/apt/sources.list.d/google-chrome.list >/dev/null
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends google-chrome-stable >/dev/null
    chrome=$(command -v google-chrome-stable)
  fi
  $SUDO ln -sf "$chrome" /usr/local/bin/chromium
fi

# preflight's independent validators (Nu Html Checker, axe-core, playwright-core driving Debian's Chromium)
if [ ! -f tools/node_modules/.reportkit-installed ] || ! cmp -s tools/package.json tools/node_modules/.reportkit-installed; then
  npm install --prefix tools --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null
  cp tools/package.json tools/node_modules/.reportkit-installed
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "Running pip as the 'root' user" || true
# An editable install leaves reportkit's modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set (as
# on this machine) Python then compiles every module on every command: 70 ms of each `check`
python3 -m compileall -q src/reportkit >/dev/null
python3 -c "import reportkit, typst, weasyprint, babel, yaml, jinja2" 
echo "reportkit is set up."
