#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry at the versions pinned in package.json.
# The built files are committed: CI and `make run` never need npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version() { python3 -c "import json,sys; print(json.load(open('package.json'))['dependencies'][sys.argv[1]])" "$1"; }

source_map() {  # the file a built .js/.css names in its trailing sourceMappingURL, if any
  tail -n 3 "$1" | sed -nE 's@^(//|/\*)# sourceMappingURL=([^ *]+).*@\2@p' | grep -v '^data:' || true
}

fetch() {  # fetch <package> <file in package>... into static/vendor/<package>-<version>/
  local package=$1; shift
  local ver; ver=$(version "$package")
  local dest="static/vendor/${package%.org}-$ver"
  (cd "$work" && npm pack --silent "$package@$ver" >/dev/null)
  mkdir -p "$work/$package" && tar -xzf "$work"/"${package//\//-}"-"$ver".tgz -C "$work/$package"
  rm -rf static/vendor/"${package%.org}"-* && mkdir -p "$dest"
  for file in "$@"; do
    mkdir -p "$dest/$(dirname "$file")"
    cp "$work/$package/package/$file" "$dest/$file"
    # A build that names its source map needs the map beside it: the manifest storage of
    # collectstatic refuses the whole run over one missing reference (and so would `make run`).
    local map; map=$(source_map "$dest/$file")
    if [ -n "$map" ]; then
      cp "$work/$package/package/$(dirname "$file")/$map" "$dest/$(dirname "$file")/$map"
    fi
  done
  cp "$work/$package/package/LICENSE"* "$dest/" 2>/dev/null || true
  echo "$dest"
}

fetch htmx.org dist/htmx.min.js
fetch htmx-ext-ws dist/ws.min.js
fetch uplot dist/uPlot.iife.min.js dist/uPlot.min.css
fetch leaflet dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png \
  dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png
