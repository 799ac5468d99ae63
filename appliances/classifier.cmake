# The lookup engines of compiled rule sets (include/appliance/classifier/, src/classifier/): written once,
# compiled once, used by every generated appliance. No dependency on net/, os/ or NaCl.
#
#   halite_classifier        host library (naclc test harnesses, unit tests, the linux platform);
#                            its archive also lands in lib/halite/host/ for tools that link without CMake
#   halite_classifier_image  the same sources for boot images (lib/halite/libhalite_classifier_image.a)

set(HALITE_CLASSIFIER_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/src/classifier/decision_tree.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/classifier/interval_set.cpp)

add_library(halite_classifier STATIC ${HALITE_CLASSIFIER_SOURCES})
target_include_directories(halite_classifier PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(halite_classifier PRIVATE halite_host)
target_compile_options(halite_classifier PRIVATE -ffunction-sections -fdata-sections)
set_target_properties(halite_classifier PROPERTIES
    ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib/halite/host
    POSITION_INDEPENDENT_CODE ON)

if(COMMAND halite_register_linux_library)
    halite_register_linux_library(halite_classifier)
endif()
if(COMMAND halite_image_library)
    halite_image_library(NAME halite_classifier_image
        SOURCES ${HALITE_CLASSIFIER_SOURCES}
        INCLUDES ${CMAKE_CURRENT_LIST_DIR}/include)
endif()
