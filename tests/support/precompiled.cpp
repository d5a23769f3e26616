// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Nothing of its own: the translation unit that the tests' precompiled headers are built with
// (CommandBridgeTestHeaders in tests/CMakeLists.txt).
