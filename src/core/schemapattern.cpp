// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "schemapattern_p.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <QtCore/QRegularExpression>

#include <optional>
#include <vector>

namespace CommandBridge {
namespace {

using Clock = std::chrono::steady_clock;

// ECMA-262's WhiteSpace and LineTerminator: what `\s` matches there. PCRE2's own `\s` is ASCII.
constexpr char16_t spaceMembers[] = u"\\t\\n\\x{0B}\\f\\r\\x{FEFF}\\x{2028}\\x{2029}\\p{Zs}";
// ECMA-262's `.` stops at its four line terminators, PCRE2's only at its newline.
constexpr char16_t dotClass[] = u"[^\\n\\r\\x{2028}\\x{2029}]";

int hexValue(QChar c)
{
    const char16_t unit = c.unicode();
    if (unit >= u'0' && unit <= u'9')
        return unit - u'0';
    if (unit >= u'a' && unit <= u'f')
        return unit - u'a' + 10;
    if (unit >= u'A' && unit <= u'F')
        return unit - u'A' + 10;
    return -1;
}

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

/// Reads ECMA-262 pattern text and writes what PCRE2 reads the same way.
class Translator
{
public:
    explicit Translator(const QString &pattern)
        : m_in(pattern)
    {}

    /// The PCRE2 pattern; nullopt when the ECMA-262 one is refused, error() says why.
    ///
    /// It has callouts where backtracking must pass, so that a match can be stopped at its
    /// deadline: at the start (once per start position), at the start of every group and every
    /// alternative, and between two quantified items. Between two callouts lies then at most one
    /// repeat, which backtracks in linear time. Not after every item (PCRE2_AUTO_CALLOUT): a
    /// callout after a repeat keeps PCRE2 from making it possessive, and `^[a-z]+$` would
    /// backtrack through a whole mebibyte, one callout per character.
    std::optional<QString> run()
    {
        m_out = QLatin1String(callout);
        while (!m_error && m_at < m_in.size()) {
            const QChar c = m_in.at(m_at);
            if (c == QLatin1Char('*') || c == QLatin1Char('+') || c == QLatin1Char('?') ||
                (c == QLatin1Char('{') && quantifierLength() > 0)) {
                quantifier(c == QLatin1Char('{') ? quantifierLength() : 1);
                continue;
            }
            if (c == QLatin1Char('|')) {
                m_out += QLatin1Char('|') + QLatin1String(callout);
                ++m_at;
                m_sequence = Sequence();
                continue;
            }
            if (c == QLatin1Char(')')) {
                m_out += c;
                ++m_at;
                // The group is the atom now, after whatever came before it.
                if (!m_groups.empty()) {
                    m_sequence = m_groups.back();
                    m_groups.pop_back();
                }
                m_sequence.previous = Previous::Atom;
                continue;
            }
            startAtom();
            if (c == QLatin1Char('\\')) {
                m_out += escape(false);
            } else if (c == QLatin1Char('[')) {
                m_out += characterClass();
            } else if (c == QLatin1Char('(')) {
                m_groups.push_back(m_sequence);
                group();
                m_out += QLatin1String(callout);
                m_sequence = Sequence();
                continue;
            } else if (c == QLatin1Char('.')) {
                m_out += QStringView(dotClass);
                ++m_at;
            } else if (c == QLatin1Char('{')) {
                // No quantifier: a literal brace to ECMA-262 (Annex B), maybe one to PCRE2.
                m_out += QLatin1String("\\{");
                ++m_at;
            } else {
                m_out += c;
                ++m_at;
            }
            m_sequence.previous = Previous::Atom;
        }
        if (m_error)
            return std::nullopt;
        return m_out;
    }

    QString error() const { return m_error.value_or(QString()); }

private:
    static constexpr char callout[] = "(?C)";

    enum class Previous { Nothing, Atom, Quantifier };
    /// Where the translation stands in the current sequence of items (a group's alternative).
    struct Sequence
    {
        Previous previous = Previous::Nothing;
        /// Where the last atom starts in m_out, and whether the item before it was quantified.
        qsizetype atomStart = 0;
        bool afterQuantified = false;
    };

    void startAtom()
    {
        m_sequence.afterQuantified = m_sequence.previous == Previous::Quantifier;
        m_sequence.atomStart = m_out.size();
    }

    /// The quantifier of \a length at m_at, with its lazy `?`.
    void quantifier(qsizetype length)
    {
        // PCRE2 reads a quantifier after a quantifier as possessive; ECMA-262 has none (only
        // `?` there, which makes it lazy). And nothing to repeat is an error to both.
        if (m_sequence.previous != Previous::Atom) {
            refuse(QStringLiteral("nothing to repeat"));
            return;
        }
        if (m_sequence.afterQuantified)
            m_out.insert(m_sequence.atomStart, QLatin1String(callout));
        m_out += m_in.mid(m_at, length);
        m_at += length;
        if (m_at < m_in.size() && m_in.at(m_at) == QLatin1Char('?')) {
            m_out += QLatin1Char('?');
            ++m_at;
        }
        m_sequence.previous = Previous::Quantifier;
    }

    /// Notes why the pattern is refused (the first reason counts); returns nothing to write.
    QString refuse(const QString &why)
    {
        if (!m_error)
            m_error = QStringLiteral("%1 at offset %2").arg(why).arg(m_at);
        return QString();
    }

    /// The length of the quantifier {n}, {n,} or {n,m} at m_at; 0 when there is none.
    qsizetype quantifierLength() const
    {
        static const QRegularExpression braces(QStringLiteral("\\G\\{[0-9]+(,[0-9]*)?\\}"));
        const QRegularExpressionMatch match = braces.match(m_in, m_at);
        return match.hasMatch() ? match.capturedLength() : 0;
    }

    void group()
    {
        const QStringView rest = QStringView(m_in).mid(m_at);
        if (rest.startsWith(u"(*"))
            return void(refuse(QStringLiteral("(* is not ECMA-262 syntax")));
        if (!rest.startsWith(u"(?")) {
            m_out += QLatin1Char('(');
            ++m_at;
            return;
        }
        static const QRegularExpression ecmaGroup(
            QStringLiteral("\\G\\(\\?(?::|=|!|<=|<!|<[A-Za-z_$][A-Za-z0-9_$]*>)"));
        const QRegularExpressionMatch match = ecmaGroup.match(m_in, m_at);
        if (!match.hasMatch())
            return void(refuse(QStringLiteral("this (? group is not ECMA-262 syntax")));
        m_out += match.captured();
        m_at += match.capturedLength();
    }

    /// The value of the \a count hex digits at m_at, or nullopt when they are not there.
    std::optional<char32_t> hex(qsizetype count)
    {
        if (m_at + count > m_in.size())
            return std::nullopt;
        char32_t value = 0;
        for (qsizetype i = 0; i < count; ++i) {
            const int digit = hexValue(m_in.at(m_at + i));
            if (digit < 0)
                return std::nullopt;
            value = value * 16 + char32_t(digit);
        }
        m_at += count;
        return value;
    }

    static QString codePoint(char32_t value)
    {
        return QStringLiteral("\\x{%1}").arg(uint(value), 0, 16);
    }

    /// \uXXXX (a surrogate pair of them makes one code point) and \u{X...}; m_at is after "\u".
    QString unicodeEscape()
    {
        if (m_at < m_in.size() && m_in.at(m_at) == QLatin1Char('{')) {
            const qsizetype close = m_in.indexOf(QLatin1Char('}'), m_at);
            bool ok = false;
            const uint value = close < 0 ? 0 : m_in.mid(m_at + 1, close - m_at - 1).toUInt(&ok, 16);
            if (!ok || close - m_at > 9 || value > 0x10FFFF || QChar::isSurrogate(value))
                return refuse(QStringLiteral("invalid \\u{...} escape"));
            m_at = close + 1;
            return codePoint(value);
        }
        const std::optional<char32_t> unit = hex(4);
        if (!unit)
            return refuse(QStringLiteral("\\u needs four hex digits"));
        if (QChar::isHighSurrogate(*unit) && QStringView(m_in).mid(m_at).startsWith(u"\\u")) {
            const qsizetype before = m_at;
            m_at += 2;
            const std::optional<char32_t> low = hex(4);
            if (low && QChar::isLowSurrogate(*low))
                return codePoint(QChar::surrogateToUcs4(char16_t(*unit), char16_t(*low)));
            m_at = before;
        }
        if (QChar::isSurrogate(*unit))
            return refuse(QStringLiteral("a lone surrogate cannot be matched"));
        return codePoint(*unit);
    }

    /// The escape at m_at, translated. Inside a class \S sets m_classHasNonSpace instead.
    QString escape(bool inClass)
    {
        ++m_at;
        if (m_at >= m_in.size())
            return refuse(QStringLiteral("\\ at end of pattern"));
        const QChar c = m_in.at(m_at++);
        const char letter = c.toLatin1();
        switch (c.unicode() < 128 ? letter : 0) {
        case 'd':
        case 'D':
        case 'w':
        case 'W':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            return QLatin1Char('\\') + c;
        case 'b':
            return inClass ? QStringLiteral("\\x{8}") : QStringLiteral("\\b");
        case 'B':
            return inClass ? refuse(QStringLiteral("\\B in a class")) : QStringLiteral("\\B");
        case 's':
            return inClass ? QStringView(spaceMembers).toString()
                           : QLatin1Char('[') + QStringView(spaceMembers) + QLatin1Char(']');
        case 'S':
            if (inClass) {
                m_classHasNonSpace = true;
                return QString();
            }
            return QLatin1String("[^") + QStringView(spaceMembers) + QLatin1Char(']');
        case 'v':
            return QStringLiteral("\\x{B}");
        case 'c':
            if (m_at < m_in.size() && m_in.at(m_at).isLetter() && m_in.at(m_at).unicode() < 128)
                return QLatin1String("\\c") + m_in.at(m_at++);
            return refuse(QStringLiteral("\\c needs a letter"));
        case 'x':
            if (const std::optional<char32_t> value = hex(2))
                return codePoint(*value);
            return refuse(QStringLiteral("\\x needs two hex digits"));
        case 'u':
            return unicodeEscape();
        case 'p':
        case 'P': {
            const qsizetype close = m_in.indexOf(QLatin1Char('}'), m_at);
            if (m_at >= m_in.size() || m_in.at(m_at) != QLatin1Char('{') || close < 0)
                return refuse(QStringLiteral("\\p needs {name}"));
            const QString property = m_in.mid(m_at - 2, close + 1 - (m_at - 2));
            m_at = close + 1;
            return property;
        }
        case 'k': {
            static const QRegularExpression name(QStringLiteral("\\G<[A-Za-z_$][A-Za-z0-9_$]*>"));
            const QRegularExpressionMatch match = name.match(m_in, m_at);
            if (inClass || !match.hasMatch())
                return refuse(QStringLiteral("\\k needs <name>"));
            m_at += match.capturedLength();
            return QLatin1String("\\k") + match.captured();
        }
        case '0':
            if (m_at < m_in.size() && isDigit(m_in.at(m_at)))
                return refuse(QStringLiteral("octal escapes are not ECMA-262 syntax"));
            return QStringLiteral("\\x{0}");
        default:
            break;
        }
        if (isDigit(c)) {
            if (inClass)
                return refuse(QStringLiteral("a back reference in a class"));
            // \g{N} is always a back reference; PCRE2 reads \12 as octal when there are fewer
            // than 12 groups.
            qsizetype end = m_at;
            while (end < m_in.size() && isDigit(m_in.at(end)))
                ++end;
            const QString number = m_in.mid(m_at - 1, end - m_at + 1);
            m_at = end;
            return QLatin1String("\\g{") + number + QLatin1Char('}');
        }
        if (c.isLetterOrNumber() || c == QLatin1Char('_'))
            return refuse(QStringLiteral("\\%1 is not an ECMA-262 escape").arg(c));
        // Escaped punctuation is the character itself in both.
        return QLatin1Char('\\') + c;
    }

    /// The class at m_at ("[...]"), translated.
    QString characterClass()
    {
        ++m_at;
        const bool negated = m_at < m_in.size() && m_in.at(m_at) == QLatin1Char('^');
        if (negated)
            ++m_at;
        m_classHasNonSpace = false;
        QString body;
        while (!m_error) {
            if (m_at >= m_in.size())
                return refuse(QStringLiteral("missing ]"));
            const QChar c = m_in.at(m_at);
            if (c == QLatin1Char(']')) {
                ++m_at;
                break;
            }
            if (c == QLatin1Char('\\')) {
                body += escape(true);
            } else if (c == QLatin1Char('[')) {
                // A literal to ECMA-262; PCRE2 would read [:alpha:] as a POSIX class.
                body += QLatin1String("\\[");
                ++m_at;
            } else {
                body += c;
                ++m_at;
            }
        }
        if (!m_classHasNonSpace)
            return (negated ? QLatin1String("[^") : QLatin1String("[")) + body + QLatin1Char(']');
        // PCRE2 has no class difference: [X\S] is "X or not a space", [^X\S] "a space but not X".
        const QString spaces = QLatin1Char('[') + QStringView(spaceMembers) + QLatin1Char(']');
        const QString nonSpaces =
            QLatin1String("[^") + QStringView(spaceMembers) + QLatin1Char(']');
        if (negated) {
            return body.isEmpty() ? spaces
                                  : QLatin1String("(?:(?![") + body + QLatin1String("])") + spaces +
                                        QLatin1Char(')');
        }
        return body.isEmpty() ? nonSpaces
                              : QLatin1String("(?:[") + body + QLatin1String("]|") + nonSpaces +
                                    QLatin1Char(')');
    }

    const QString &m_in;
    qsizetype m_at = 0;
    QString m_out;
    Sequence m_sequence;
    /// The sequences that enclose the current group, innermost last.
    std::vector<Sequence> m_groups;
    std::optional<QString> m_error;
    bool m_classHasNonSpace = false;
};

struct CodeFree
{
    void operator()(pcre2_code *code) const { pcre2_code_free(code); }
};

/// What each thread keeps for matching: PCRE2's match context with its JIT stack and the
/// deadline callout, and room for one match.
class ThreadMatcher
{
public:
    ThreadMatcher()
        : m_context(pcre2_match_context_create(nullptr))
        , m_jitStack(pcre2_jit_stack_create(32 * 1024, SchemaPattern::jitStackBytes, nullptr))
        , m_data(pcre2_match_data_create(1, nullptr))
    {
        if (m_context) {
            pcre2_jit_stack_assign(m_context, nullptr, m_jitStack);
            pcre2_set_heap_limit(m_context, SchemaPattern::heapLimitKiB);
            pcre2_set_callout(m_context, &ThreadMatcher::callout, this);
        }
    }
    ~ThreadMatcher()
    {
        pcre2_match_data_free(m_data);
        pcre2_jit_stack_free(m_jitStack);
        pcre2_match_context_free(m_context);
    }
    ThreadMatcher(const ThreadMatcher &) = delete;
    ThreadMatcher &operator=(const ThreadMatcher &) = delete;

    static ThreadMatcher &current()
    {
        thread_local ThreadMatcher matcher;
        return matcher;
    }

    /// pcre2_match()'s result, given until \a deadline.
    int match(const pcre2_code *code, std::string_view subject, Clock::time_point deadline)
    {
        if (!m_context || !m_jitStack || !m_data)
            return PCRE2_ERROR_NOMEMORY;
        m_deadline = deadline;
        m_callouts = 0;
        return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                           m_data, m_context);
    }

private:
    // A match that backtracks comes by the translation's callouts often; the clock is read
    // every 16th time.
    static int callout(pcre2_callout_block *, void *data)
    {
        auto *self = static_cast<ThreadMatcher *>(data);
        if ((++self->m_callouts & 15) == 0 && Clock::now() >= self->m_deadline)
            return PCRE2_ERROR_CALLOUT;
        return 0;
    }

    pcre2_match_context *m_context;
    pcre2_jit_stack *m_jitStack;
    pcre2_match_data *m_data;
    Clock::time_point m_deadline;
    std::uint64_t m_callouts = 0;
};

thread_local SchemaPattern::Budget *currentBudget = nullptr;

} // namespace

struct SchemaPattern::Code
{
    std::unique_ptr<pcre2_code, CodeFree> code;
};

SchemaPattern::Budget::Budget(std::chrono::milliseconds limit)
    : m_left(limit)
    , m_outer(currentBudget)
{
    currentBudget = this;
}

SchemaPattern::Budget::~Budget()
{
    currentBudget = m_outer;
}

std::variant<SchemaPattern, QString> SchemaPattern::compile(const QString &ecmaPattern)
{
    Translator translator(ecmaPattern);
    const std::optional<QString> translated = translator.run();
    if (!translated)
        return translator.error();
    SchemaPattern pattern;
    pattern.m_source = ecmaPattern;
    pattern.m_translated = *translated;

    // DOLLAR_ENDONLY: `$` is the end of the string, not also before a final newline. The
    // translation's callouts let a match stop at its deadline: PCRE2's match limit does not count
    // the backtracking within one repeat, so `(?=a*a*0a)` runs cubic time without reaching it.
    constexpr std::uint32_t options = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS |
                                      PCRE2_MATCH_UNSET_BACKREF | PCRE2_NEVER_BACKSLASH_C;
    const QByteArray utf8 = pattern.m_translated.toUtf8();
    int error = 0;
    PCRE2_SIZE errorOffset = 0;
    std::unique_ptr<pcre2_code, CodeFree> code(
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(utf8.constData()), PCRE2_SIZE(utf8.size()),
                      options, &error, &errorOffset, nullptr));
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        return QString::fromUtf8(reinterpret_cast<const char *>(message));
    }
    // Without JIT (not built for this CPU) PCRE2 interprets, within the heap limit.
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
    pattern.m_code = std::make_shared<const Code>(Code{std::move(code)});
    return pattern;
}

SchemaPattern::Outcome SchemaPattern::search(std::string_view utf8) const
{
    std::optional<Budget> own;
    Budget *budget = currentBudget;
    if (!budget)
        budget = &own.emplace(defaultBudget);
    if (budget->m_left <= Clock::duration::zero())
        budget->m_spent = true;
    if (budget->m_spent)
        return Outcome::Unchecked;
    const Clock::time_point start = Clock::now();
    const int result =
        ThreadMatcher::current().match(m_code->code.get(), utf8, start + budget->m_left);
    budget->m_left -= Clock::now() - start;
    if (result >= 0)
        return Outcome::Match;
    if (result == PCRE2_ERROR_NOMATCH)
        return Outcome::NoMatch;
    // The deadline, the JIT stack, the heap limit: the engine gave up.
    if (result == PCRE2_ERROR_CALLOUT)
        budget->m_spent = true;
    return Outcome::Unchecked;
}

SchemaPattern::Outcome SchemaPattern::search(const QString &text) const
{
    const QByteArray utf8 = text.toUtf8();
    return search(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

} // namespace CommandBridge
