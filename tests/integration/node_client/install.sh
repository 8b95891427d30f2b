#!/usr/bin/env bash
# Installs the official Node client (npm faktory-worker 4.7.1, its dependencies
# pinned by package-lock.json) into TARGET_DIR, a folder the tests own.
# CTest runs this as the node_client fixture: when it fails (no node, no npm,
# no registry), node_client_test fails with it instead of being skipped.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: install.sh TARGET_DIR}

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "node_client install: '$tool' not found; scripts/setup installs Debian's nodejs and npm" >&2
    exit 1
  fi
done

mkdir -p "$target"
# Already installed from this very lock file: nothing to fetch again.
if cmp -s "$source_dir/package-lock.json" "$target/.installed-lock.json" &&
   [ -f "$target/node_modules/faktory-worker/package.json" ]; then
  exit 0
fi
rm -f "$target/.installed-lock.json"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$target/"
(cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
installed=$(cd "$target" && node -p "require('faktory-worker/package.json').version")
if [ "$installed" != "4.7.1" ]; then
  echo "node_client install: expected faktory-worker 4.7.1, got $installed" >&2
  exit 1
fi
cp "$source_dir/package-lock.json" "$target/.installed-lock.json"
echo "node_client install: faktory-worker $installed in $target/node_modules"
