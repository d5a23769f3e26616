# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause

# Proves the installed package works for other projects, one CMake component at a time: installs
# the build tree into a fresh prefix once, then configures, builds and runs a tiny consumer per
# component against it with find_package() (server/, client/, quick/ in this folder). Run by CTest
# after a full build:
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DVERSION=... -DSOVERSION=...
#         [-DQML_DIR=<relative to the prefix>] [-DCONSUMERS=server;client;quick]
#         [-DGENERATOR=...] [-DCXX_COMPILER=...] -P run.cmake

foreach(variable SOURCE_DIR BUILD_DIR WORK_DIR VERSION SOVERSION)
    if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
        message(FATAL_ERROR "run.cmake needs -D${variable}=...")
    endif()
endforeach()
if(NOT DEFINED CONSUMERS)
    set(CONSUMERS server client quick)
endif()

set(prefix "${WORK_DIR}/prefix")

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

# The package has what a consumer needs, and nothing private.
file(GLOB_RECURSE config_files "${prefix}/*/CommandBridgeConfig.cmake")
file(GLOB_RECURSE private_headers "${prefix}/*_p.h")
if(NOT config_files)
    message(FATAL_ERROR "The install has no CommandBridgeConfig.cmake")
endif()
foreach(header commandbridgeserver.h commandclient.h version.h)
    if(NOT EXISTS "${prefix}/include/CommandBridge/${header}")
        message(FATAL_ERROR "The install has no include/CommandBridge/${header}")
    endif()
endforeach()
if(private_headers)
    message(FATAL_ERROR "The install ships private headers: ${private_headers}")
endif()
# The SOVERSION changes with every ABI break (README, "Versions").
foreach(library CommandBridge CommandBridgeClient)
    file(GLOB_RECURSE sonames "${prefix}/lib${library}.so.${SOVERSION}")
    if(NOT sonames)
        message(FATAL_ERROR "The install has no lib${library}.so.${SOVERSION}")
    endif()
endforeach()
# The client library needs neither Qt Qml nor Qt Gui at run time.
find_program(objdump NAMES objdump)
if(objdump)
    file(GLOB_RECURSE client_library "${prefix}/libCommandBridgeClient.so.${SOVERSION}")
    run_step("Reading the client library's dependencies" "${objdump}" -p ${client_library})
    if(step_output MATCHES "NEEDED[ \t]+libQt6(Qml|Gui|Quick)")
        message(FATAL_ERROR "libCommandBridgeClient needs Qt Qml or Gui:\n${step_output}")
    endif()
endif()

foreach(consumer IN LISTS CONSUMERS)
    set(consumer_build "${WORK_DIR}/${consumer}-build")
    set(configure_arguments
        -S "${SOURCE_DIR}/tests/installedpackage/${consumer}"
        -B "${consumer_build}"
        "-DCMAKE_PREFIX_PATH=${prefix}"
        "-DQML_IMPORT_DIR=${prefix}/${QML_DIR}"
        -DCMAKE_BUILD_TYPE=Debug)
    if(DEFINED GENERATOR AND NOT GENERATOR STREQUAL "")
        list(APPEND configure_arguments -G "${GENERATOR}")
    endif()
    if(DEFINED CXX_COMPILER AND NOT CXX_COMPILER STREQUAL "")
        list(APPEND configure_arguments "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
    endif()
    run_step("Configuring the ${consumer} consumer" "${CMAKE_COMMAND}" ${configure_arguments})

    # It must have found the installed package, not another one, and (server, client) no Qt
    # module beyond those its component needs.
    file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^CommandBridge_DIR:")
    string(FIND "${found_dir}" "${prefix}/" at)
    if(NOT at GREATER -1)
        message(FATAL_ERROR "The ${consumer} consumer found CommandBridge elsewhere: ${found_dir}")
    endif()
    if(NOT consumer STREQUAL "quick")
        file(STRINGS "${consumer_build}/CMakeCache.txt" extra_qt
            REGEX "^Qt6(Qml|Gui|Quick)_DIR:PATH=/")
        if(extra_qt)
            message(FATAL_ERROR "The ${consumer} consumer had to find ${extra_qt}")
        endif()
    endif()

    run_step("Building the ${consumer} consumer" "${CMAKE_COMMAND}" --build "${consumer_build}")
    find_program(executable_${consumer} NAMES consumer PATHS "${consumer_build}" NO_DEFAULT_PATH)
    if(NOT executable_${consumer})
        message(FATAL_ERROR "The ${consumer} consumer's build produced no executable")
    endif()
    run_step("Running the ${consumer} consumer" "${executable_${consumer}}")
    message(STATUS "${consumer} consumer: ${step_output}")
    if(consumer STREQUAL "server"
       AND NOT step_output MATCHES "CommandBridge ${VERSION} listening on http://127\\.0\\.0\\.1:[1-9]")
        message(FATAL_ERROR "The server consumer did not report listening:\n${step_output}")
    endif()
endforeach()
