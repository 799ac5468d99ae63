#!/bin/sh
# regenerate.sh NACLC: rewrites the expected outputs of the golden tests.
# Review the diff (git diff tests/golden/nacl) before committing it.
set -eu
naclc=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../../examples
for f in "$examples"/*.nacl; do
    name=$(basename "$f" .nacl)
    (cd "$examples" && "$naclc" emit ir "$name.nacl") >"$here/ir/$name.json"
done
for f in "$here"/diagnostics/*.nacl; do
    name=$(basename "$f" .nacl)
    (cd "$here/diagnostics" && "$naclc" check "$name.nacl" 2>"$name.txt" || true)
done
echo "regenerated $(ls "$here"/ir/*.json | wc -l) IR files and $(ls "$here"/diagnostics/*.txt | wc -l) diagnostics files"
