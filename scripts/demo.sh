#!/bin/sh
# The demo grows with the product; see the README.
set -eu
cd "$(dirname "$0")/.."
echo "demo: nothing to show yet"
