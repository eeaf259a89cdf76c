#!/usr/bin/env bash
# Make sure the real servers and system tools the tests start themselves are installed:
#   chronyd (Debian chrony)      tests/conductor/test_chrony.py runs it as a private local-stratum
#                                NTP server on a loopback port (-x: it never touches the clock)
#   redis-server (Debian        tests/conductor/redis_kit.py starts a private one per test session
#   redis-server)                on a free loopback port (no persistence) for the --redis tests
#   mount/umount, prlimit        tests/conductor/test_diskfull.py fills a tiny tmpfs (as root),
#   (Debian mount, util-linux)   or caps the server's file size where mounting is not allowed
# As root it installs what is missing (apt-get) without starting the chrony
# service; otherwise it only reports. Under CI=true the tests then fail, never skip.
set -euo pipefail
need=()
[ -x /usr/sbin/chronyd ] || command -v chronyd >/dev/null || need+=(chrony)
command -v mount >/dev/null && command -v umount >/dev/null || need+=(mount)
command -v prlimit >/dev/null || need+=(util-linux)
[ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's ${need[*]} for the tests ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    # The tests need the chronyd binary, not a running time service: keep
    # the packages' postinst (chrony, redis-server) from starting one (Debian's policy-rc.d mechanism).
    guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        guard=/usr/sbin/policy-rc.d
    fi
    trap '[ -n "$guard" ] && rm -f "$guard"' EXIT
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    exit 0
fi
echo "warning: missing ${need[*]} and this user cannot install them (apt-get install ${need[*]}, as root);" \
     "the chronyd, disk-full and Redis tests will fail under CI=true" >&2
