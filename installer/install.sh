#!/usr/bin/env bash
# One-command install on Linux: a private venv, the `plextray` command on PATH, and a first start.
#   bash installer/install.sh            (from a checkout; `--no-start` to only install)
# Environment: PLEXTRAY_APP_DIR (venv location), PLEXTRAY_BIN_DIR (where the command is linked),
# PYTHON (the interpreter to build the venv with, 3.11+), PLEXTRAY_VENV_OPTIONS (e.g.
# --system-site-packages to reuse the system's python3-gi for the AppIndicator tray menu).
set -euo pipefail

start=1
for arg in "$@"; do
    case "$arg" in
        --no-start) start=0 ;;
        -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option: $arg" >&2; exit 2 ;;
    esac
done

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
app_dir="${PLEXTRAY_APP_DIR:-$data_home/plextray-app}"
bin_dir="${PLEXTRAY_BIN_DIR:-$HOME/.local/bin}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "install.sh: plextray needs Python 3.11 or newer ($python is $("$python" -V 2>&1))" >&2
    exit 1
fi
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "install.sh: Python's venv module is missing; on Debian/Ubuntu: sudo apt install python3-venv" >&2
    exit 1
fi

# The tray icon on GNOME, KDE and Wayland desktops is a StatusNotifierItem: pystray's AppIndicator
# backend, which needs PyGObject and the AppIndicator typelib from the system (PyGObject has no wheel).
has_indicator='import gi; gi.require_version("Gtk", "3.0")
try:
    gi.require_version("AyatanaAppIndicator3", "0.1")
except ValueError:
    gi.require_version("AppIndicator3", "0.1")'
indicator_packages=""
install_command=""
os_family="$(. /etc/os-release 2>/dev/null && echo "${ID:-} ${ID_LIKE:-}")" || os_family=""
case " $os_family " in
    *" debian "*|*" ubuntu "*)
        indicator_packages="python3-gi gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1"
        install_command="apt-get install -y $indicator_packages" ;;
    *" fedora "*|*" rhel "*|*" centos "*)
        indicator_packages="python3-gobject gtk3 libayatana-appindicator-gtk3"
        install_command="dnf install -y $indicator_packages" ;;
esac
if [ -z "${PLEXTRAY_VENV_OPTIONS+set}" ] && ! "$python" -c "$has_indicator" 2>/dev/null && [ -n "$install_command" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    answer="${PLEXTRAY_INSTALL_SYSTEM_PACKAGES:-}"
    if [ -z "$answer" ] && [ -t 0 ]; then
        read -r -p "The tray icon on GNOME/KDE/Wayland needs $indicator_packages. Install them now ($SUDO ${install_command%% *})? [Y/n] " answer || answer=n
        case "$answer" in [nN]*) answer=0 ;; *) answer=1 ;; esac
    fi
    if [ "$answer" = 1 ]; then
        # shellcheck disable=SC2086  # the package list is meant to split
        $SUDO ${install_command%% *} ${install_command#* } || echo "install.sh: could not install $indicator_packages" >&2
    else
        echo "note: for the tray icon on GNOME, KDE and Wayland desktops install: $SUDO $install_command"
        echo "      (then run this script again; PLEXTRAY_INSTALL_SYSTEM_PACKAGES=1 installs them without asking)"
    fi
fi

venv_options="${PLEXTRAY_VENV_OPTIONS-}"
if [ -z "${PLEXTRAY_VENV_OPTIONS+set}" ]; then
    if "$python" -c "$has_indicator" 2>/dev/null; then
        # PyGObject has no wheel: reuse the system's, so pystray gets the StatusNotifierItem (AppIndicator) tray.
        venv_options="--system-site-packages"
        echo "using the system's PyGObject (python3-gi) for the StatusNotifierItem tray icon"
    elif /usr/bin/python3 -c "$has_indicator" 2>/dev/null; then
        echo "note: the system's PyGObject belongs to /usr/bin/python3, not to $python; for the tray icon on"
        echo "      GNOME/KDE/Wayland run: PYTHON=/usr/bin/python3 $0"
    elif [ -z "$install_command" ]; then
        echo "note: without PyGObject and the AyatanaAppIndicator3 (or AppIndicator3) typelib the tray icon shows only"
        echo "      on desktops with an X11 system tray; install them with your distribution's package manager"
    fi
fi

echo "installing plextray into $app_dir"
# shellcheck disable=SC2086  # word splitting of the options is intended
[ -x "$app_dir/bin/python" ] || "$python" -m venv $venv_options "$app_dir"
"$app_dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$checkout"

mkdir -p "$bin_dir"
ln -sf "$app_dir/bin/plextray" "$bin_dir/plextray"
echo "linked $bin_dir/plextray"
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "note: $bin_dir is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$bin_dir:\$PATH\"" ;;
esac

if ! "$app_dir/bin/python" -c 'import tkinter' 2>/dev/null; then
    echo "note: Tk is missing, so the tray and settings window cannot open; on Debian/Ubuntu: sudo apt install python3-tk"
fi

if [ "$start" -eq 0 ]; then
    echo "installed. Start it with: plextray"
    exit 0
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "starting the tray app (look for the plextray icon; right-click it for Settings…)"
    nohup "$bin_dir/plextray" >/dev/null 2>&1 &
    echo "started (pid $!). Make it start at login: plextray autostart enable"
else
    echo "no desktop here, so no tray icon. Instead:"
    echo "  plextray run --headless               monitor in the foreground (Ctrl-C stops)"
    echo "  plextray autostart enable --systemd   run it as a systemd --user service"
    echo "  plextray demo                         try it against a built-in Plex emulator"
fi
