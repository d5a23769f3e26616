# Proves the installed package works for another project: installs the build tree into a fresh
# prefix, configures and builds tests/installedpackage/consumer against it with find_package(),
# and runs the consumer. Run by CTest after a full build:
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... [-DGENERATOR=...] [-DCXX_COMPILER=...]
#         -P run.cmake

foreach(variable SOURCE_DIR BUILD_DIR WORK_DIR)
    if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
        message(FATAL_ERROR "run.cmake needs -D${variable}=...")
    endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")

# Runs a command; any failure stops the test with the command's output.
function(run_step description)
    execute_process(COMMAND ${ARGN}
        RESULT_VARIABLE result
        OUTPUT_VARIABLE output
        ERROR_VARIABLE output)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "${description} failed (${result}):\n${output}")
    endif()
    set(step_output "${output}" PARENT_SCOPE)
endfunction()

# A clean slate, so nothing from an earlier run (or the build tree) can be picked up.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

run_step("Installing ${BUILD_DIR} into ${prefix}"
    "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# The package has what a consumer needs.
file(GLOB_RECURSE config_files "${prefix}/*/CommandBridgeConfig.cmake")
file(GLOB_RECURSE private_headers "${prefix}/*_p.h")
if(NOT config_files)
    message(FATAL_ERROR "The install has no CommandBridgeConfig.cmake")
endif()
if(NOT EXISTS "${prefix}/include/CommandBridge/commandbridgeserver.h")
    message(FATAL_ERROR "The install has no include/CommandBridge/commandbridgeserver.h")
endif()
if(private_headers)
    message(FATAL_ERROR "The install ships private headers: ${private_headers}")
endif()

set(configure_arguments
    -S "${SOURCE_DIR}/tests/installedpackage/consumer"
    -B "${consumer_build}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_BUILD_TYPE=Debug)
if(DEFINED GENERATOR AND NOT GENERATOR STREQUAL "")
    list(APPEND configure_arguments -G "${GENERATOR}")
endif()
if(DEFINED CXX_COMPILER AND NOT CXX_COMPILER STREQUAL "")
    list(APPEND configure_arguments "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
run_step("Configuring the consumer" "${CMAKE_COMMAND}" ${configure_arguments})

# It must have found the installed package, not another one.
file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^CommandBridge_DIR:")
string(FIND "${found_dir}" "${prefix}/" at)
if(NOT at GREATER -1)
    message(FATAL_ERROR "The consumer found CommandBridge elsewhere: ${found_dir}")
endif()

run_step("Building the consumer" "${CMAKE_COMMAND}" --build "${consumer_build}")

find_program(consumer NAMES consumer PATHS "${consumer_build}" NO_DEFAULT_PATH)
if(NOT consumer)
    message(FATAL_ERROR "The consumer build produced no executable in ${consumer_build}")
endif()
run_step("Running the consumer" "${consumer}")
if(NOT step_output MATCHES "listening on http://127\\.0\\.0\\.1:[1-9][0-9]*")
    message(FATAL_ERROR "The consumer did not report listening:\n${step_output}")
endif()
message(STATUS "Consumer built against ${prefix} and ran: ${step_output}")
