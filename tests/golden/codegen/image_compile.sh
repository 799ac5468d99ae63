#!/bin/sh
# image_compile.sh NACLC LIBDIR EXAMPLES: the C++ that `naclc emit cpp` writes for every example compiles
# with the image's command line (image.flags: clang++ @image-cxx.rsp, -Wall -Wextra -Werror, freestanding
# libc++/musl headers), compiled and linear.
set -eu
naclc=$1 libdir=$2 examples=$3
flags=$libdir/image.flags
[ -f "$flags" ] || { echo "no $flags" >&2; exit 1; }
cxx=$(sed -n 's/^cxx //p' "$flags")
rsp=$(sed -n 's/^compile_rsp //p' "$flags")
includes=$(sed -n 's/^include /-I/p' "$flags" | tr '\n' ' ')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$examples"/*.nacl; do
    name=$(basename "$f" .nacl)
    for mode in compiled linear tables; do
        case $mode in
        compiled) extra= ;;
        linear) extra=--linear ;;
        tables) extra="--table-threshold 1" ;;
        esac
        # shellcheck disable=SC2086
        (cd "$examples" && "$naclc" emit cpp "$name.nacl" $extra 2>/dev/null) >"$work/$name-$mode.cpp"
        # shellcheck disable=SC2086
        if ! "$cxx" @"$rsp" $includes -c "$work/$name-$mode.cpp" -o "$work/$name-$mode.o"; then
            echo "FAIL: $name ($mode) does not compile for the image" >&2
            exit 1
        fi
    done
done
echo "all examples compile for the image (compiled, linear, tables)"
