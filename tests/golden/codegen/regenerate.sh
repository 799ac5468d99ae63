#!/bin/sh
# regenerate.sh NACLC: rewrites tests/golden/codegen/emit/*.cpp. Review `git diff` before committing.
set -eu
naclc=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../../examples
emit() { # name input flags...
    name=$1 input=$2
    shift 2
    (cd "$examples" && "$naclc" emit cpp "$input" "$@" 2>/dev/null) >"$here/emit/$name.cpp"
}
emit firewall firewall.nacl
emit firewall_linear firewall.nacl --linear
emit firewall_tables firewall.nacl --table-threshold 1
emit functions functions.nacl
emit router_nat router_nat.nacl
echo "regenerated $(ls "$here"/emit/*.cpp | wc -l) files"
