# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause

# Runs one Node.js test script of a folder under tests/node against the demo server: a client we
# did not write (an npm package), pinned by the folder's package-lock.json. Run by CTest:
#   cmake -DSOURCE_DIR=tests/node/<name> -DSCRIPT=<file>.mjs -DWORK_DIR=...
#         -DSERVER=path/to/command-bridge-server -P run-npm-test.cmake
# Node.js and npm are whatever is on PATH (scripts/install-deps.sh installs Debian's): without
# them the test fails, it is never skipped.

foreach(variable SOURCE_DIR SCRIPT WORK_DIR SERVER)
    if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
        message(FATAL_ERROR "run-npm-test.cmake needs -D${variable}=...")
    endif()
endforeach()

find_program(NODE NAMES node nodejs)
find_program(NPM NAMES npm)
if(NOT NODE OR NOT NPM)
    message(FATAL_ERROR "${SCRIPT} needs Node.js and npm (node: ${NODE}, npm: ${NPM}); "
        "scripts/install-deps.sh installs Debian's nodejs and npm")
endif()

# The packages are installed beside a copy of the script, from the lock alone (npm ci). The npm
# cache stays in the build tree: once filled, later runs need no network.
set(package_dir "${WORK_DIR}/package")
file(REMOVE_RECURSE "${package_dir}")
file(MAKE_DIRECTORY "${package_dir}")
file(COPY "${SOURCE_DIR}/package.json" "${SOURCE_DIR}/package-lock.json" "${SOURCE_DIR}/${SCRIPT}"
    DESTINATION "${package_dir}")
execute_process(
    COMMAND "${NPM}" ci --prefer-offline --no-audit --no-fund --update-notifier=false
        --cache "${WORK_DIR}/npm-cache"
    WORKING_DIRECTORY "${package_dir}"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "npm ci failed (${result}) in ${package_dir}:\n${output}")
endif()

execute_process(COMMAND "${NODE}" --version OUTPUT_VARIABLE node_version
    OUTPUT_STRIP_TRAILING_WHITESPACE)
message(STATUS "Node.js ${node_version}, npm packages from ${SOURCE_DIR}/package-lock.json")
execute_process(
    COMMAND "${NODE}" "${SCRIPT}" "${SERVER}"
    WORKING_DIRECTORY "${package_dir}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SCRIPT} failed (${result})")
endif()
