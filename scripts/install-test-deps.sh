#!/bin/sh
# What the tests drive from Debian's packages: Chromium for the browser tests (report, server),
# nftables and iptables to check the syntax of exported firewall rules, and a PostgreSQL on
# loopback for the store contract tests (scripts/start-test-postgres.sh, at the default URL the
# tests use). Installs only what is missing; needs root (or sudo) and Debian's package mirrors.
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v nft >/dev/null 2>&1 || need="$need nftables"
command -v iptables-restore >/dev/null 2>&1 || need="$need iptables"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
if [ -n "$need" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need
fi
$SUDO sh "$(dirname "$0")/start-test-postgres.sh" >/dev/null
