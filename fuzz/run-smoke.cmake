# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause

# Runs a libFuzzer binary for a bounded time: first over every input in REGRESSIONS (each once
# crashed it), then for at most RUNS iterations or MAX_SECONDS seconds, seeded with a fresh copy
# of SEED_CORPUS. Crash reproducers go to WORK_DIR/artifacts/. Invoked by CTest with cmake -P.
foreach(variable FUZZER SEED_CORPUS REGRESSIONS WORK_DIR RUNS MAX_SECONDS)
    if(NOT DEFINED ${variable})
        message(FATAL_ERROR "run-smoke.cmake: ${variable} is not set")
    endif()
endforeach()

set(corpus ${WORK_DIR}/corpus)
set(artifacts ${WORK_DIR}/artifacts)
file(REMOVE_RECURSE ${corpus})
file(MAKE_DIRECTORY ${corpus} ${artifacts})
file(GLOB seeds ${SEED_CORPUS}/*)
file(COPY ${seeds} DESTINATION ${corpus})

set(options -artifact_prefix=${artifacts}/ -print_final_stats=1)
if(DEFINED DICTIONARY)
    list(APPEND options -dict=${DICTIONARY})
endif()

# Each regression on its own, so that the report names every one that still crashes.
file(GLOB regressions LIST_DIRECTORIES false ${REGRESSIONS}/*)
list(FILTER regressions EXCLUDE REGEX "/README[^/]*$")
set(failures)
foreach(input IN LISTS regressions)
    execute_process(COMMAND ${FUZZER} ${options} ${input} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        list(APPEND failures "${input} (exit ${result})")
    endif()
endforeach()

execute_process(
    COMMAND ${FUZZER} ${options}
        -runs=${RUNS} -max_total_time=${MAX_SECONDS} -max_len=4096 -timeout=25
        -rss_limit_mb=2048 ${corpus}
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    list(APPEND failures "fuzzing found a crash (exit ${result}); reproducer in ${artifacts}/")
endif()

if(failures)
    list(JOIN failures "\n  " failures)
    message(FATAL_ERROR "${FUZZER} crashed:\n  ${failures}")
endif()
