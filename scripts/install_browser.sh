#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests (tests/browser).
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$DRIVER" ]; then
  echo "==> Chromium and ChromeDriver already installed ($("$CHROMIUM" --version 2>/dev/null || echo chromium))"
  exit 0
fi

fail() { echo "install_browser.sh: $*" >&2; exit 1; }

if ! command -v apt-get >/dev/null 2>&1; then
  fail "apt-get not found: install Debian's 'chromium' and 'chromium-driver' packages by hand"
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "must run as root (or with sudo) to install chromium"
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "==> apt-get update"
$SUDO apt-get update -qq || fail "apt-get update failed (is the Debian package mirror reachable?)"
echo "==> Installing chromium and chromium-driver"
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver \
  || fail "apt-get install chromium chromium-driver failed"

[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing after the install"
[ -x "$DRIVER" ] || fail "$DRIVER is missing after the install"
echo "==> Installed: $("$CHROMIUM" --version 2>/dev/null) / $("$DRIVER" --version 2>/dev/null | head -1)"
