// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "appcommands.h"

#include "bridgewindow.h"

#include <CommandBridge/commandbuilder.h>

#include <QtCore/QLocale>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using namespace CommandBridge;

namespace {

constexpr qint64 primesSegment = qint64(1) << 20;

/// Counts the primes up to `up_to` with a segmented sieve: memory stays at one segment, and the
/// segments give natural points to report progress and notice a cancel.
/// Runs on a worker thread: it touches nothing but its context.
void countPrimes(CommandContext &context)
{
    const qint64 upTo = context.args().value(u"up_to"_s).toInteger(10'000'000);

    const auto root = static_cast<qint64>(std::sqrt(static_cast<double>(upTo))) + 1;
    std::vector<qint64> basePrimes;
    std::vector<char> composite(static_cast<size_t>(root + 1), 0);
    for (qint64 n = 2; n <= root; ++n) {
        if (composite[static_cast<size_t>(n)])
            continue;
        basePrimes.push_back(n);
        for (qint64 m = n * n; m <= root; m += n)
            composite[static_cast<size_t>(m)] = 1;
    }

    const QLocale locale(QLocale::English); // digit grouping, the same for every user
    std::vector<char> isPrime(static_cast<size_t>(primesSegment));
    qint64 count = 0;
    qint64 largest = 0;
    for (qint64 low = 0; low <= upTo; low += primesSegment) {
        if (context.isCancelled())
            return; // the client already has its `cancelled` result
        const qint64 high = std::min(low + primesSegment - 1, upTo);
        std::fill(isPrime.begin(), isPrime.end(), 1);
        for (const qint64 p : basePrimes) {
            if (p * p > high)
                break;
            for (qint64 m = std::max(p * p, (low + p - 1) / p * p); m <= high; m += p)
                isPrime[static_cast<size_t>(m - low)] = 0;
        }
        for (qint64 n = std::max<qint64>(low, 2); n <= high; ++n) {
            if (isPrime[static_cast<size_t>(n - low)]) {
                ++count;
                largest = n;
            }
        }
        context.reportProgress(u"checked %1 of %2, %3 primes so far"_s.arg(locale.toString(high),
                                                                           locale.toString(upTo),
                                                                           locale.toString(count)),
                               100.0 * static_cast<double>(high) / static_cast<double>(upTo));
    }
    context.succeed(QJsonObject{{u"up_to"_s, upTo}, {u"count"_s, count}, {u"largest"_s, largest}});
}

// The bound keeps `up_to` a 32-bit integer, which is what the schema validator treats as one.
constexpr const char *primesSchema = R"({
    "type": "object",
    "properties": {
        "up_to": {"type": "integer", "minimum": 2, "maximum": 2000000000, "default": 10000000}
    },
    "additionalProperties": false
})";

void add(CommandRegistry &registry, CommandBuilder &command)
{
    if (!command.registerIn(registry))
        qFatal("%s", qPrintable(command.errorString()));
}

} // namespace

void registerAppCommands(CommandRegistry &registry, BridgeWindow &window)
{
    // Its own members only (QMainWindow's stay out); its calls run on its thread, the GUI thread:
    // the only thread where widgets may be touched.
    ExposeOptions options;
    options.baseClass = &QMainWindow::staticMetaObject;
    if (!registry.exposeObject(u"window"_s, &window, options))
        qFatal("%s", qPrintable(registry.errorString()));

    // CPU-bound work goes to the registry's own pool so the window keeps painting meanwhile.
    add(registry, CommandBuilder(u"primes"_s)
                      .description(u"Counts the primes up to 'up_to' on a worker thread"_s)
                      .args(primesSchema)
                      .mode(ExecutionMode::WorkerPool)
                      .defaultTimeout(5min)
                      .handler(countPrimes));
}
