#!/bin/sh
# Debian packages the tests drive: Chromium for the browser tests (report, server), nftables
# and iptables to check the syntax of exported firewall rules. Installs only what is missing;
# needs root (or sudo) and Debian's package mirrors.
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v nft >/dev/null 2>&1 || need="$need nftables"
command -v iptables-restore >/dev/null 2>&1 || need="$need iptables"
[ -z "$need" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need
