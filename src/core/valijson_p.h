// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// valijson as every file of the library includes it: errors are exceptions. Its inline functions
// depend on that setting, so it must be the same in every translation unit. Values reach it
// through our own adapter (qtjsonadapter_p.h), not valijson's Qt adapter.

#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/exceptions.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>
#include <valijson/internal/optional.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
