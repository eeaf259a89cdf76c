#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests.
# As root it installs the package (apt); otherwise it only reports.
# Playwright drives /usr/bin/chromium (it cannot download browsers here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
    exit 0
fi
echo "warning: /usr/bin/chromium is missing and this user cannot install it (apt-get install chromium);" \
     "browser tests will fail under CI=true" >&2
