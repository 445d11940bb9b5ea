#!/usr/bin/env bash
# Installs the Debian packages the tests need: real Postfix and Dovecot for mail, Chromium and
# Xvfb for the window's browser tests, OpenSSL for test certificates. Safe to run again: it
# installs only what is missing and never starts the system's own mail daemons.
set -euo pipefail

packages=(postfix dovecot-imapd dovecot-lmtpd openssl chromium xvfb xauth fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing (${missing[*]}); run this script as root" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix must not write a system configuration; we run it from our own folders.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# Keep the packages from starting system daemons during the install.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ $created_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages may have started daemons anyway on systems without policy-rc.d support.
pkill -x master 2>/dev/null || true
pkill -x dovecot 2>/dev/null || true
echo "system packages: done"
