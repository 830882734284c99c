#!/usr/bin/env bash
# Sets up and runs plextray's whole test suite on a fresh Debian/Ubuntu machine with Python 3.11:
# installs the Debian packages the GUI, D-Bus and browser tests need, makes .venv, installs
# plextray with its test extras, and runs pytest (which starts its own Xvfb and private D-Bus).
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(python3-venv python3-tk xvfb xauth dbus dbus-x11 libnotify-bin desktop-file-utils
              systemd x11-utils xdotool imagemagick chromium trayer libpython3-dev mosquitto
              gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1 libgirepository1.0-dev libcairo2-dev pkg-config gcc)
# The last line is the StatusNotifierItem tray path: PyGObject is built from PyPI into .venv (pyproject's
# test extra) against these headers, rather than borrowed from Debian's python3-gi with
# --system-site-packages, because .venv's Python need not be Debian's (pyenv, actions/setup-python)
# and system site-packages would put Debian's other Python packages in front of the pinned ones.
# npm installs axe-core (the accessibility checker the report tests run in Chromium). A machine that
# already has Node.js with its own npm (NodeSource, nvm) keeps it: Debian's npm would conflict with it.
command -v npm >/dev/null || DEB_PACKAGES+=(nodejs npm)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})) && command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# axe-core (the accessibility checker the report's browser tests run in Chromium), from npm
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/plextray-tests/axe"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4 >/dev/null
fi
export PLEXTRAY_AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
exec .venv/bin/python -m pytest "$@"
