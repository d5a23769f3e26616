// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// A 60 Hz timer on the main thread, as a GUI's animation would have, while the bridge serves
// whatever load the benchmark script sends: how late does the timer fire?

#include "../baselines/benchserver.h"
#include "benchcommands.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

constexpr qint64 frameNs = 1'000'000'000 / 60;

/// Fires at each 1/60 s deadline (re-armed from the deadline, not from the last firing, so
/// lateness does not accumulate) and records how late each firing was.
class FrameClock : public QObject
{
public:
    explicit FrameClock(QObject *parent = nullptr)
        : QObject(parent)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &FrameClock::tick);
    }

    void start()
    {
        m_clock.start();
        m_deadline = frameNs;
        arm();
    }

    QJsonObject report() const
    {
        std::vector<qint64> sorted = m_latenessNs;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&sorted](double quantile) {
            if (sorted.empty())
                return 0.0;
            const auto index = std::size_t(quantile * double(sorted.size() - 1));
            return double(sorted[index]) / 1e6;
        };
        return QJsonObject{{QStringLiteral("frames"), qint64(sorted.size())},
                           {QStringLiteral("p50_ms"), at(0.50)},
                           {QStringLiteral("p99_ms"), at(0.99)},
                           {QStringLiteral("max_ms"), at(1.0)}};
    }

private:
    void arm()
    {
        const qint64 waitNs = std::max<qint64>(0, m_deadline - m_clock.nsecsElapsed());
        m_timer.start(std::chrono::milliseconds(waitNs / 1'000'000));
    }

    void tick()
    {
        // QTimer has millisecond resolution: a firing up to 1 ms early counts as on time.
        m_latenessNs.push_back(std::max<qint64>(0, m_clock.nsecsElapsed() - m_deadline));
        while (m_deadline <= m_clock.nsecsElapsed())
            m_deadline += frameNs;
        arm();
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_deadline = 0;
    std::vector<qint64> m_latenessNs;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("60 Hz main-thread timer lateness while the bridge serves load"));
    BridgeBench::addOptions(parser);
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("How long to measure"),
                      QStringLiteral("s"), QStringLiteral("10")});
    parser.process(app);
    BridgeBench::Options options;
    bool secondsOk = false;
    const int seconds = parser.value(QStringLiteral("seconds")).toInt(&secondsOk);
    if (!BridgeBench::readOptions(parser, options) || !secondsOk || seconds < 1 || seconds > 3600)
        parser.showHelp(2);

    BridgeBench::Bridge bridge;
    if (!bridge.start(options))
        return 1;
    BenchServer::quitOnTerminationSignals(app);

    FrameClock frames;
    frames.start();
    QTimer::singleShot(std::chrono::seconds(seconds), &app, [&] {
        QJsonObject report = frames.report();
        report.insert(QStringLiteral("network_threads"), options.networkThreads);
        std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QCoreApplication::quit();
    });
    BenchServer::announcePort(bridge.server.serverPort());
    return app.exec();
}
