# Flags shared by every host-side target (tools, the linux platform, tests).
#
#   halite_host      : our warnings (-Wall -Wextra -Werror) and, when
#                      HALITE_SANITIZE is on, ASan + UBSan for compile and link.
#   halite_host_deps : sanitizers only, for third-party or generated code that
#                      we do not hold to our warning flags.

add_library(halite_host_deps INTERFACE)
add_library(halite_host INTERFACE)
target_link_libraries(halite_host INTERFACE halite_host_deps)
target_compile_options(halite_host INTERFACE -Wall -Wextra -Werror)

if(HALITE_SANITIZE)
    # No vptr check: os/ net/ appliances/ are built without RTTI (as in the image), and UBSan's vptr
    # check reports every virtual call into such a class from code that has RTTI.
    set(HALITE_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer)
    target_compile_options(halite_host_deps INTERFACE ${HALITE_SANITIZER_FLAGS})
    target_link_options(halite_host_deps INTERFACE -fsanitize=address,undefined)
    # Coverage for libFuzzer in every host library, so the fuzz targets can see
    # into the layers they link (harmless for ordinary executables).
    if(HALITE_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        target_compile_options(halite_host_deps INTERFACE -fsanitize=fuzzer-no-link)
    endif()
endif()
