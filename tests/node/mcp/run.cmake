# The mcp_sdk test: installs the pinned npm packages of package-lock.json (npm ci) into a copy of
# this folder in the build tree, then runs mcp-sdk-test.mjs with Node against the demo server.
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DSERVER=... -P run.cmake
# Node.js and npm are whatever is on PATH (scripts/install-deps.sh installs Debian's).

foreach(variable SOURCE_DIR WORK_DIR SERVER)
    if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
        message(FATAL_ERROR "run.cmake needs -D${variable}=...")
    endif()
endforeach()

find_program(NODE node)
find_program(NPM npm)
if(NOT NODE OR NOT NPM)
    message(FATAL_ERROR "mcp_sdk needs Node.js and npm on PATH (node: ${NODE}, npm: ${NPM}); "
                        "run scripts/install-deps.sh as root to install them")
endif()

file(MAKE_DIRECTORY "${WORK_DIR}")
file(COPY "${SOURCE_DIR}/package.json" "${SOURCE_DIR}/package-lock.json"
          "${SOURCE_DIR}/mcp-sdk-test.mjs"
     DESTINATION "${WORK_DIR}")

execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "npm ci failed (${result}) in ${WORK_DIR}:\n${output}")
endif()

execute_process(COMMAND "${NODE}" mcp-sdk-test.mjs "${SERVER}"
    WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "mcp-sdk-test.mjs failed (${result})")
endif()
