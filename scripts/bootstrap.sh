#!/bin/sh
# Makes a fresh Debian / Raspberry Pi OS machine ready for `npm start`, `npm test`, `npm run demo`
# and `npm run bench`: Debian packages the project needs, then the npm packages. Cheap when
# everything is already there, so every entry command runs it first.
set -eu
cd "$(dirname "$0")/.."

# Debian packages: command that must exist -> package that provides it.
# influxd: the forwarding tests run against a real InfluxDB 1.x; mosquitto: the uplink tests
# bridge to a real upstream Mosquitto; socat: the serial tests and the serial simulators talk
# through its pseudo-terminal pairs; chromium: the staff console tests drive it headless
# (playwright-core). (Later features add more here.)
DEBIAN_NEEDS="${CAREEDGE_DEBIAN_NEEDS-influxd:influxdb mosquitto:mosquitto socat:socat chromium:chromium}"
missing=""
for pair in $DEBIAN_NEEDS; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages:$missing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "bootstrap: please install these Debian packages:$missing" >&2
    exit 1
  fi
fi

# npm packages: reinstall when package-lock.json changed since the last install.
stamp=node_modules/.careedge-lock-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # `npm install`, not `npm ci`: the lockfile cannot list optional platform builds (e.g. Biome's
  # for macOS or Windows) that this registry does not carry, and `npm ci` refuses such a lockfile.
  # With an unchanged lockfile `npm install` installs exactly what it pins.
  echo "bootstrap: installing npm packages" >&2
  npm install --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
