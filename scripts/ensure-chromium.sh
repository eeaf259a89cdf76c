#!/usr/bin/env bash
# Superseded by ensure-browsers.sh (all three engines and what they need); kept so
# older references keep working.
exec "$(dirname "$0")/ensure-browsers.sh" "$@"
