#!/usr/bin/env bash
# Make sure the three browser engines of the browser tests and the acoustic
# benchmark are installed, with what they need to run here:
#   chromium                       Blink, driven by Playwright (it cannot download browsers)
#   firefox-esr                    Gecko, driven over WebDriver BiDi (no geckodriver package)
#   webkit2gtk-driver              WebKitGTK's WebKitWebDriver (+ MiniBrowser from libwebkit2gtk-4.1-0)
#   xvfb                           MiniBrowser has no headless mode
#   pulseaudio pulseaudio-utils    a private sound server (Firefox's AudioContext needs one), pactl/parec
#   gstreamer1.0-plugins-good      WebKit decodes MP3 with GStreamer's mpg123audiodec
#   gstreamer1.0-pulseaudio        WebKit's sound reaches PulseAudio through pulsesink
#   faketime                       skewed wall clocks (libfaketime)
#   fonts-dejavu-core              readable screenshots
# As root it installs what is missing (apt); otherwise it only reports.
set -euo pipefail
PACKAGES=(chromium firefox-esr webkit2gtk-driver xvfb pulseaudio pulseaudio-utils
          gstreamer1.0-plugins-good gstreamer1.0-pulseaudio faketime fonts-dejavu-core)
missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages for the browser tests: ${missing[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi
echo "warning: missing Debian packages ${missing[*]} and this user cannot install them" \
     "(apt-get install ${missing[*]}); browser tests will fail under CI=true" >&2
