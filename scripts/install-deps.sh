#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, only when missing.
set -euo pipefail
packages=(pkg-config libsqlite3-dev zlib1g-dev libpq-dev libmicrohttpd-dev libssl-dev
          libcurl4-openssl-dev openssl postgresql python3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing missing packages: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
    echo "error: the Swift 6 toolchain is not on PATH (expected /opt/swift/usr/bin); install it, then run make again" >&2
    exit 1
fi
