# Boot images: freestanding C++20 linked with musl into a PVH ELF.
#
# Images are always compiled with clang++ and linked with ld.lld, whatever the
# host compiler is (the `gcc` preset builds host code with g++). CMake cannot
# drive two C++ compilers in one project, so image code is compiled by custom
# commands that replay one command line kept here, and that command line is
# written into the build tree so tools (`naclc build`) can replay it without
# CMake:
#
#   build/lib/halite/image.flags      structured description (see os/README.md)
#   build/lib/halite/image-cxx.rsp    clang++ response file: C++ compile flags
#   build/lib/halite/image-asm.rsp    clang++ response file: .S compile flags
#   build/lib/halite/image-link.rsp   ld.lld response file: link flags
#   build/lib/halite/image-link.sh    the link driver: objects -> <name>.elf
#   build/lib/halite/linux.flags      the same for the linux platform
#
# Functions:
#   halite_image_library(NAME n SOURCES ... [INCLUDES ...] [PRIVATE_INCLUDES ...]
#                        [DEFINES ...] [LIBS ...])
#       The image variant of a layer's library: build/lib/halite/lib<n>.a;
#       custom target <n>.
#       INCLUDES are public (users of the library see them), LIBS are other
#       image libraries this one uses.
#   halite_add_image(NAME n SOURCES ... [INCLUDES ...] [DEFINES ...] [LIBS ...])
#       A bootable image: ${HALITE_IMAGE_DIR}/<n>.elf (symbols kept),
#       <n>.stripped.elf and <n>.size.txt; custom target <n>_image.
#   halite_image_runtime(LINKER_SCRIPT ld START_SOURCES ... LIBS ...)
#       Called once by os/: what every image links (boot code, the OS).
#   halite_register_linux_library(target [LDFLAGS ...])
#       A host library that linux-platform programs may link (listed in
#       linux.flags in link order, with the link flags it needs).
#
# INTERFACE target halite_image_flags carries the same compile flags for
# clang-only consumers (static analysis, a clang-hosted object library); the
# functions above do not need it.

include_guard(GLOBAL)

# --- Toolchain -------------------------------------------------------------------------------

if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(_halite_default_cxx ${CMAKE_CXX_COMPILER})
else()
    find_program(_halite_default_cxx NAMES clang++ clang++-14 REQUIRED)
endif()
set(HALITE_IMAGE_CXX ${_halite_default_cxx} CACHE FILEPATH "clang++ that compiles boot images")
find_program(HALITE_IMAGE_LD NAMES ld.lld ld.lld-14 REQUIRED)
find_program(HALITE_IMAGE_AR NAMES llvm-ar llvm-ar-14 REQUIRED)
find_program(HALITE_IMAGE_STRIP NAMES llvm-strip llvm-strip-14 REQUIRED)

execute_process(COMMAND ${HALITE_IMAGE_CXX} -print-resource-dir
    OUTPUT_VARIABLE _halite_resource_dir OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
get_filename_component(_halite_libcxx ${_halite_resource_dir}/../../../include/c++/v1 ABSOLUTE)
set(HALITE_LIBCXX_INCLUDE_DIR ${_halite_libcxx} CACHE PATH "libc++ headers (headers only: no libc++.a in images)")
set(HALITE_MUSL_INCLUDE_DIR /usr/include/x86_64-linux-musl CACHE PATH "musl headers")
set(HALITE_MUSL_LIBC /usr/lib/x86_64-linux-musl/libc.a CACHE FILEPATH "musl libc.a, linked unmodified")
# The builtins archive is the same code for every x86_64 OS; ask for the linux one,
# which Debian ships (there is no none-elf variant on disk).
execute_process(COMMAND ${HALITE_IMAGE_CXX} --target=x86_64-pc-linux-gnu --rtlib=compiler-rt -print-libgcc-file-name
    OUTPUT_VARIABLE _halite_builtins OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
set(HALITE_COMPILER_RT_BUILTINS ${_halite_builtins} CACHE FILEPATH "compiler-rt builtins archive")

foreach(required HALITE_LIBCXX_INCLUDE_DIR HALITE_MUSL_INCLUDE_DIR HALITE_MUSL_LIBC HALITE_COMPILER_RT_BUILTINS)
    if(NOT EXISTS ${${required}})
        message(FATAL_ERROR "HaliteImage: ${required}=${${required}} does not exist (run scripts/setup.sh)")
    endif()
endforeach()

# --- The one image command line ------------------------------------------------------------------

set(HALITE_IMAGE_TRIPLE x86_64-unknown-none-elf)
# Not -ffreestanding: the image is hosted by musl (printf, malloc, string functions
# are real), so the compiler may keep treating memcpy & co. as builtins.
set(HALITE_IMAGE_CXX_FLAGS
    --target=${HALITE_IMAGE_TRIPLE} -std=c++20 -O2 -g
    -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables -fno-unwind-tables
    -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer -ftls-model=local-exec
    -ffunction-sections -fdata-sections
    -nostdinc++ -nostdlibinc
    -Wall -Wextra -Werror)
set(HALITE_IMAGE_DEFINES
    _GNU_SOURCE _LIBCPP_HAS_MUSL_LIBC _LIBCPP_HAS_NO_THREADS _LIBCPP_DISABLE_EXTERN_TEMPLATE HALITE_IMAGE=1)
# libc++ before musl: libc++'s <stdlib.h> & co. wrap the C library's.
set(HALITE_IMAGE_SYSTEM_INCLUDES ${HALITE_LIBCXX_INCLUDE_DIR} ${HALITE_MUSL_INCLUDE_DIR})
set(HALITE_IMAGE_ASM_FLAGS --target=${HALITE_IMAGE_TRIPLE} -g -nostdlibinc -Wall -Werror)
set(HALITE_IMAGE_LINK_FLAGS
    -m elf_x86_64 -static -nostdlib --gc-sections -z max-page-size=4096 -z noexecstack
    --build-id=none --no-undefined --warn-common)

set(HALITE_IMAGE_LIB_DIR ${CMAKE_BINARY_DIR}/lib/halite)
file(MAKE_DIRECTORY ${HALITE_IMAGE_LIB_DIR})
set(HALITE_IMAGE_CXX_RSP ${HALITE_IMAGE_LIB_DIR}/image-cxx.rsp)
set(HALITE_IMAGE_ASM_RSP ${HALITE_IMAGE_LIB_DIR}/image-asm.rsp)
set(HALITE_IMAGE_LINK_RSP ${HALITE_IMAGE_LIB_DIR}/image-link.rsp)
set(HALITE_IMAGE_LINK_SH ${HALITE_IMAGE_LIB_DIR}/image-link.sh)
set(HALITE_IMAGE_FLAGS_FILE ${HALITE_IMAGE_LIB_DIR}/image.flags)
set(HALITE_LINUX_FLAGS_FILE ${HALITE_IMAGE_LIB_DIR}/linux.flags)

add_library(halite_image_flags INTERFACE)
target_compile_options(halite_image_flags INTERFACE ${HALITE_IMAGE_CXX_FLAGS})
target_compile_definitions(halite_image_flags INTERFACE ${HALITE_IMAGE_DEFINES})
target_include_directories(halite_image_flags SYSTEM INTERFACE ${HALITE_IMAGE_SYSTEM_INCLUDES})

# One argument per line; only paths we control go in, and none has spaces.
function(_halite_write_rsp path)
    list(JOIN ARGN "\n" content)
    file(CONFIGURE OUTPUT ${path} CONTENT "${content}\n" @ONLY)
endfunction()

set(_halite_cxx_rsp_lines ${HALITE_IMAGE_CXX_FLAGS})
foreach(d IN LISTS HALITE_IMAGE_DEFINES)
    list(APPEND _halite_cxx_rsp_lines -D${d})
endforeach()
foreach(d IN LISTS HALITE_IMAGE_SYSTEM_INCLUDES)
    list(APPEND _halite_cxx_rsp_lines -isystem ${d})
endforeach()
_halite_write_rsp(${HALITE_IMAGE_CXX_RSP} ${_halite_cxx_rsp_lines})
_halite_write_rsp(${HALITE_IMAGE_ASM_RSP} ${HALITE_IMAGE_ASM_FLAGS})

# --- Registry -------------------------------------------------------------------------------------
# Image libraries are custom targets with these properties:
#   HALITE_ARCHIVE   the .a file
#   HALITE_INCLUDES  public include dirs, transitive
#   HALITE_LINK      archives to link for it, itself first, dependencies after
set_property(GLOBAL PROPERTY HALITE_IMAGE_LIBRARIES "")
set_property(GLOBAL PROPERTY HALITE_LINUX_LIBRARIES "")

function(_halite_resolve_libs out_includes out_archives out_targets)
    set(includes "")
    set(archives "")
    set(targets "")
    foreach(lib IN LISTS ARGN)
        if(NOT TARGET ${lib})
            message(FATAL_ERROR "HaliteImage: ${lib} is not an image library (define it with halite_image_library first)")
        endif()
        get_target_property(inc ${lib} HALITE_INCLUDES)
        get_target_property(link ${lib} HALITE_LINK)
        if(NOT link)
            message(FATAL_ERROR "HaliteImage: ${lib} is not an image library")
        endif()
        list(APPEND includes ${inc})
        list(APPEND archives ${link})
        list(APPEND targets ${lib})
    endforeach()
    list(REMOVE_DUPLICATES includes)
    # Keep the last occurrence so a dependency always follows its users.
    list(REVERSE archives)
    list(REMOVE_DUPLICATES archives)
    list(REVERSE archives)
    set(${out_includes} ${includes} PARENT_SCOPE)
    set(${out_archives} ${archives} PARENT_SCOPE)
    set(${out_targets} ${targets} PARENT_SCOPE)
endfunction()

# Compiles SOURCES with the image command line into objects; sets <out> to them.
function(_halite_image_compile out objdir)
    cmake_parse_arguments(C "" "" "SOURCES;INCLUDES;DEFINES;DEPENDS" ${ARGN})
    set(extra "")
    foreach(i IN LISTS C_INCLUDES)
        list(APPEND extra -I${i})
    endforeach()
    foreach(d IN LISTS C_DEFINES)
        list(APPEND extra -D${d})
    endforeach()
    set(objects "")
    foreach(src IN LISTS C_SOURCES)
        get_filename_component(abs ${src} ABSOLUTE)
        file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR} ${abs})
        string(REPLACE "../" "__/" rel ${rel})
        set(obj ${objdir}/${rel}.o)
        get_filename_component(ext ${abs} LAST_EXT)
        if(ext STREQUAL ".S")
            set(rsp ${HALITE_IMAGE_ASM_RSP})
        elseif(ext MATCHES "^\\.(cpp|cc|cxx)$")
            set(rsp ${HALITE_IMAGE_CXX_RSP})
        else()
            message(FATAL_ERROR "HaliteImage: ${src}: image sources are .cpp or .S")
        endif()
        file(RELATIVE_PATH shown ${CMAKE_BINARY_DIR} ${obj})
        add_custom_command(OUTPUT ${obj}
            COMMAND ${HALITE_IMAGE_CXX} @${rsp} ${extra} -MD -MF ${obj}.d -c ${abs} -o ${obj}
            DEPENDS ${abs} ${rsp} ${C_DEPENDS}
            DEPFILE ${obj}.d
            COMMENT "Building image object ${shown}"
            VERBATIM COMMAND_EXPAND_LISTS)
        list(APPEND objects ${obj})
    endforeach()
    set(${out} ${objects} PARENT_SCOPE)
endfunction()

function(halite_image_library)
    cmake_parse_arguments(L "" "NAME" "SOURCES;INCLUDES;PRIVATE_INCLUDES;DEFINES;LIBS" ${ARGN})
    _halite_resolve_libs(dep_includes dep_archives dep_targets ${L_LIBS})
    set(public_includes "")
    foreach(i IN LISTS L_INCLUDES)
        get_filename_component(abs ${i} ABSOLUTE)
        list(APPEND public_includes ${abs})
    endforeach()
    _halite_image_compile(objects ${CMAKE_CURRENT_BINARY_DIR}/${L_NAME}.dir
        SOURCES ${L_SOURCES}
        INCLUDES ${public_includes} ${L_PRIVATE_INCLUDES} ${dep_includes}
        DEFINES ${L_DEFINES})
    set(archive ${HALITE_IMAGE_LIB_DIR}/lib${L_NAME}.a)
    add_custom_command(OUTPUT ${archive}
        COMMAND ${CMAKE_COMMAND} -E rm -f ${archive}
        COMMAND ${HALITE_IMAGE_AR} rcsD ${archive} ${objects}
        DEPENDS ${objects}
        COMMENT "Archiving image library lib${L_NAME}.a"
        VERBATIM)
    add_custom_target(${L_NAME} ALL DEPENDS ${archive})
    if(dep_targets)
        add_dependencies(${L_NAME} ${dep_targets})
    endif()
    set(all_includes ${public_includes} ${dep_includes})
    list(REMOVE_DUPLICATES all_includes)
    set_target_properties(${L_NAME} PROPERTIES
        HALITE_ARCHIVE ${archive}
        HALITE_INCLUDES "${all_includes}"
        HALITE_LINK "${archive};${dep_archives}")
    set_property(GLOBAL APPEND PROPERTY HALITE_IMAGE_LIBRARIES ${L_NAME})
endfunction()

function(halite_image_runtime)
    cmake_parse_arguments(R "" "LINKER_SCRIPT" "START_SOURCES;LIBS" ${ARGN})
    get_property(done GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_SET)
    if(done)
        message(FATAL_ERROR "HaliteImage: halite_image_runtime() called twice")
    endif()
    _halite_resolve_libs(includes archives targets ${R_LIBS})
    _halite_image_compile(start_objects ${CMAKE_CURRENT_BINARY_DIR}/halite_image_start.dir
        SOURCES ${R_START_SOURCES} INCLUDES ${includes})
    add_custom_target(halite_image_start DEPENDS ${start_objects})
    get_filename_component(script ${R_LINKER_SCRIPT} ABSOLUTE)
    set_property(GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_SET TRUE)
    set_property(GLOBAL PROPERTY HALITE_IMAGE_LINKER_SCRIPT ${script})
    set_property(GLOBAL PROPERTY HALITE_IMAGE_START_OBJECTS ${start_objects})
    set_property(GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_ARCHIVES ${archives})
    set_property(GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_INCLUDES ${includes})
    set_property(GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_TARGETS ${targets})
    # The runtime is known now, so the link files can be written (the link
    # driver takes everything else on its command line).
    _halite_write_link_files()
endfunction()

function(_halite_write_link_files)
    get_property(script GLOBAL PROPERTY HALITE_IMAGE_LINKER_SCRIPT)
    _halite_write_rsp(${HALITE_IMAGE_LINK_RSP} ${HALITE_IMAGE_LINK_FLAGS} -T ${script})
    get_property(start GLOBAL PROPERTY HALITE_IMAGE_START_OBJECTS)
    get_property(archives GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_ARCHIVES)
    list(JOIN start " " HALITE_LINK_START)
    list(JOIN archives " " HALITE_LINK_RUNTIME)
    set(HALITE_LINK_SYSTEM "${HALITE_MUSL_LIBC} ${HALITE_COMPILER_RT_BUILTINS}")
    set(HALITE_LINK_SYMTAB $<TARGET_FILE:halite-symtab>)
    configure_file(${HALITE_SOURCE_DIR}/os/arch/x86_64/image-link.sh.in ${HALITE_IMAGE_LINK_SH}.in @ONLY)
    # The symbol-table tool's path is a generator expression.
    file(GENERATE OUTPUT ${HALITE_IMAGE_LINK_SH} INPUT ${HALITE_IMAGE_LINK_SH}.in
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endfunction()

function(halite_add_image)
    cmake_parse_arguments(I "" "NAME" "SOURCES;INCLUDES;DEFINES;LIBS" ${ARGN})
    get_property(runtime_set GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_SET)
    if(NOT runtime_set)
        message(FATAL_ERROR "HaliteImage: halite_add_image(${I_NAME}) before os/ set the runtime")
    endif()
    get_property(runtime_includes GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_INCLUDES)
    get_property(runtime_targets GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_TARGETS)
    get_property(runtime_archives GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_ARCHIVES)
    get_property(start_objects GLOBAL PROPERTY HALITE_IMAGE_START_OBJECTS)
    get_property(script GLOBAL PROPERTY HALITE_IMAGE_LINKER_SCRIPT)
    _halite_resolve_libs(dep_includes dep_archives dep_targets ${I_LIBS})
    _halite_image_compile(objects ${CMAKE_CURRENT_BINARY_DIR}/${I_NAME}.image.dir
        SOURCES ${I_SOURCES}
        INCLUDES ${I_INCLUDES} ${dep_includes} ${runtime_includes}
        DEFINES ${I_DEFINES})
    set(elf ${HALITE_IMAGE_DIR}/${I_NAME}.elf)
    set(stripped ${HALITE_IMAGE_DIR}/${I_NAME}.stripped.elf)
    set(size_report ${HALITE_IMAGE_DIR}/${I_NAME}.size.txt)
    add_custom_command(OUTPUT ${elf} ${stripped} ${size_report}
        COMMAND ${HALITE_IMAGE_LINK_SH} ${elf} ${objects} ${dep_archives}
        DEPENDS ${objects} ${dep_archives} ${runtime_archives} ${start_objects} ${script}
            ${HALITE_IMAGE_LINK_SH} ${HALITE_IMAGE_LINK_RSP} halite-symtab
        COMMENT "Linking image ${I_NAME}.elf"
        VERBATIM)
    add_custom_target(${I_NAME}_image ALL DEPENDS ${elf})
    add_dependencies(${I_NAME}_image halite_image_start ${runtime_targets} ${dep_targets})
endfunction()

function(halite_register_linux_library target)
    cmake_parse_arguments(L "" "" "LDFLAGS" ${ARGN})
    set_property(GLOBAL APPEND PROPERTY HALITE_LINUX_LIBRARIES ${target})
    set_property(GLOBAL APPEND PROPERTY HALITE_LINUX_LDFLAGS ${L_LDFLAGS})
endfunction()

# --- Flags files, written once every layer has registered ------------------------------------------

function(_halite_write_flags_files)
    get_property(libs GLOBAL PROPERTY HALITE_IMAGE_LIBRARIES)
    get_property(script GLOBAL PROPERTY HALITE_IMAGE_LINKER_SCRIPT)
    get_property(start GLOBAL PROPERTY HALITE_IMAGE_START_OBJECTS)
    get_property(runtime_archives GLOBAL PROPERTY HALITE_IMAGE_RUNTIME_ARCHIVES)
    # Libraries registered later build on earlier ones: link them first.
    set(archives "")
    set(includes "")
    foreach(lib IN LISTS libs)
        get_target_property(a ${lib} HALITE_ARCHIVE)
        get_target_property(inc ${lib} HALITE_INCLUDES)
        list(PREPEND archives ${a})
        list(APPEND includes ${inc})
    endforeach()
    list(APPEND archives ${runtime_archives})
    list(REMOVE_DUPLICATES archives)
    list(REMOVE_DUPLICATES includes)

    set(t "# Halite image toolchain: generated by cmake/HaliteImage.cmake, do not edit.\n")
    string(APPEND t "# One entry per line, `<key> <value>`; list keys repeat in order. See os/README.md.\n")
    string(APPEND t "# Compile: <cxx> <cxxflag...> -D<define...> -isystem <system_include...> -I<include...> -c x.cpp\n")
    string(APPEND t "# Link:    <link_driver> out.elf <objects...> (or by hand: <ld> <ldflag...> -T <linker_script>\n")
    string(APPEND t "#          <start_object...> <objects...> <lib...>, then the two-pass symbol table step)\n")
    string(APPEND t "format 1\n")
    string(APPEND t "cxx ${HALITE_IMAGE_CXX}\nld ${HALITE_IMAGE_LD}\nstrip ${HALITE_IMAGE_STRIP}\n")
    string(APPEND t "symtab_tool $<TARGET_FILE:halite-symtab>\n")
    foreach(f IN LISTS HALITE_IMAGE_CXX_FLAGS)
        string(APPEND t "cxxflag ${f}\n")
    endforeach()
    foreach(f IN LISTS HALITE_IMAGE_ASM_FLAGS)
        string(APPEND t "asmflag ${f}\n")
    endforeach()
    foreach(d IN LISTS HALITE_IMAGE_DEFINES)
        string(APPEND t "define ${d}\n")
    endforeach()
    foreach(i IN LISTS HALITE_IMAGE_SYSTEM_INCLUDES)
        string(APPEND t "system_include ${i}\n")
    endforeach()
    foreach(i IN LISTS includes)
        string(APPEND t "include ${i}\n")
    endforeach()
    foreach(f IN LISTS HALITE_IMAGE_LINK_FLAGS)
        string(APPEND t "ldflag ${f}\n")
    endforeach()
    string(APPEND t "linker_script ${script}\n")
    foreach(o IN LISTS start)
        string(APPEND t "start_object ${o}\n")
    endforeach()
    foreach(a IN LISTS archives)
        string(APPEND t "lib ${a}\n")
    endforeach()
    string(APPEND t "lib ${HALITE_MUSL_LIBC}\nlib ${HALITE_COMPILER_RT_BUILTINS}\n")
    string(APPEND t "compile_rsp ${HALITE_IMAGE_CXX_RSP}\nasm_rsp ${HALITE_IMAGE_ASM_RSP}\n")
    string(APPEND t "link_rsp ${HALITE_IMAGE_LINK_RSP}\nlink_driver ${HALITE_IMAGE_LINK_SH}\n")
    file(GENERATE OUTPUT ${HALITE_IMAGE_FLAGS_FILE} CONTENT "${t}")

    # The linux platform: the host compiler and the host flags (sanitizers included,
    # so a program links against the instrumented libraries).
    get_property(linux_libs GLOBAL PROPERTY HALITE_LINUX_LIBRARIES)
    set(t "# Halite linux platform: generated by cmake/HaliteImage.cmake, do not edit.\n")
    string(APPEND t "# Same format as image.flags. Compile and link: <cxx> <cxxflag...> -D<define...>\n")
    string(APPEND t "#   -I<include...> app.cpp <lib...> <ldflag...> -o app\n")
    # Appliance code follows the image's rules on linux too: no exceptions, no RTTI.
    string(APPEND t "format 1\ncxx ${CMAKE_CXX_COMPILER}\ncxxflag -std=c++20\ncxxflag -fno-exceptions\ncxxflag -fno-rtti\n")
    # Usage requirements are transitive: halite_host's include halite_host_deps'.
    set(cflags "$<REMOVE_DUPLICATES:$<TARGET_PROPERTY:halite_host,INTERFACE_COMPILE_OPTIONS>>")
    string(APPEND t "$<$<BOOL:${cflags}>:cxxflag $<JOIN:${cflags},\ncxxflag >\n>")
    set(linux_includes "")
    set(linux_archives "")
    get_property(registered_ldflags GLOBAL PROPERTY HALITE_LINUX_LDFLAGS)
    set(linux_ldflags "")
    foreach(f IN LISTS registered_ldflags)
        string(REPLACE "," "$<COMMA>" f "${f}") # literal commas would split the expression
        list(APPEND linux_ldflags "${f}")
    endforeach()
    foreach(lib IN LISTS linux_libs)
        list(APPEND linux_includes "$<TARGET_PROPERTY:${lib},INTERFACE_INCLUDE_DIRECTORIES>")
        list(PREPEND linux_archives "$<TARGET_FILE:${lib}>")
    endforeach()
    list(APPEND linux_ldflags "$<TARGET_PROPERTY:halite_host_deps,INTERFACE_LINK_OPTIONS>")
    string(APPEND t "$<$<BOOL:${linux_includes}>:include $<JOIN:$<REMOVE_DUPLICATES:${linux_includes}>,\ninclude >\n>")
    string(APPEND t "$<$<BOOL:${linux_archives}>:lib $<JOIN:${linux_archives},\nlib >\n>")
    string(APPEND t "$<$<BOOL:${linux_ldflags}>:ldflag $<JOIN:$<REMOVE_DUPLICATES:${linux_ldflags}>,\nldflag >\n>")
    file(GENERATE OUTPUT ${HALITE_LINUX_FLAGS_FILE} CONTENT "${t}")
endfunction()

cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _halite_write_flags_files)
