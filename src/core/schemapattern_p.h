// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QString>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <variant>

namespace CommandBridge {

/// A JSON Schema `pattern` (an ECMA-262 regular expression) compiled for PCRE2, whose matching
/// is bounded: no recursion on the C stack, a JIT stack of at most jitStackBytes per thread (or,
/// without JIT, at most heapLimitKiB of heap), and the time of every search made while a Budget
/// lives on the thread. A search the engine gives up on says so (Outcome::Unchecked): it is never
/// a match or a non-match.
///
/// PCRE2 reads ECMA-262's common syntax the same way; what it reads differently is translated
/// (`.`, `\s`, `\S`, `\v`, `\uXXXX`, `\u{X}`, numbered back references, `[` in a class, a `{`
/// that starts no quantifier), `$` is the end of the string, `[]` and `[^]` are ECMA's, and an
/// unset back reference matches the empty string. PCRE2 syntax that ECMA-262 does not have
/// (`(?i)`, `(*VERB)`, possessive quantifiers, `\A`, `\z`, `\Q`, ...) is refused. The pattern
/// runs with the `u` flag's meaning: it matches code points, not UTF-16 halves.
///
/// Immutable once compiled: one instance may search from several threads.
class SchemaPattern
{
public:
    enum class Outcome {
        Match,
        NoMatch,
        /// The engine gave up: the budget ran out or the match needed more stack or heap.
        Unchecked,
    };

    /// Bounds the total matching time of the searches made on this thread while it lives (the
    /// innermost one counts). Without one, each search gets defaultBudget.
    class Budget
    {
    public:
        explicit Budget(std::chrono::milliseconds limit);
        ~Budget();
        Budget(const Budget &) = delete;
        Budget &operator=(const Budget &) = delete;

        /// True once searches were stopped because this budget ran out.
        bool isSpent() const { return m_spent; }

    private:
        friend class SchemaPattern;
        std::chrono::nanoseconds m_left;
        bool m_spent = false;
        Budget *m_outer;
    };

    static constexpr std::chrono::milliseconds defaultBudget{500};
    static constexpr std::size_t jitStackBytes = 16 * 1024 * 1024;
    static constexpr std::uint32_t heapLimitKiB = 16 * 1024;

    /// Compiles \a ecmaPattern, or says why it is not a pattern this engine takes.
    static std::variant<SchemaPattern, QString> compile(const QString &ecmaPattern);

    /// Searches \a utf8 for the pattern anywhere in it, as JSON Schema's `pattern` does.
    Outcome search(std::string_view utf8) const;
    Outcome search(const QString &text) const;

    /// The pattern as the schema wrote it.
    const QString &source() const { return m_source; }
    /// What PCRE2 was given, for diagnostics and tests.
    const QString &translated() const { return m_translated; }

private:
    struct Code;
    SchemaPattern() = default;

    QString m_source;
    QString m_translated;
    std::shared_ptr<const Code> m_code;
};

} // namespace CommandBridge
