// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// What publishing an event costs an app when nobody subscribes, against what an app pays today to
// announce the same thing with a Qt signal that nothing is connected to. Interleaved rounds in one
// process, medians with their range; the ratio is what docs/performance.md reports.
//
//   cb-bench-events [--rounds R] [--count N]

#include <CommandBridge/commandregistry.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

/// The baseline: a signal an app would emit to announce the same thing, connected to nothing.
class Announcer : public QObject
{
    Q_OBJECT

Q_SIGNALS:
    void announced(const QString &event, const QJsonObject &data);

public:
    void announce(const QString &event, const QJsonObject &data) { Q_EMIT announced(event, data); }
};

struct Figures
{
    double median = 0;
    double low = 0;
    double high = 0;
};

Figures figures(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return {values[values.size() / 2], values.front(), values.back()};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Cost of publishing an event without subscribers"_s);
    parser.addHelpOption();
    const QCommandLineOption roundsOption(u"rounds"_s, u"Interleaved rounds (default 5)."_s, u"R"_s,
                                          u"5"_s);
    const QCommandLineOption countOption(u"count"_s, u"Publications per round (default 2000000)."_s,
                                         u"N"_s, u"2000000"_s);
    parser.addOptions({roundsOption, countOption});
    parser.process(app);
    const int rounds = std::max(1, parser.value(roundsOption).toInt());
    const int count = std::max(1, parser.value(countOption).toInt());

    CommandBridge::CommandRegistry registry;
    const QString name = u"notice"_s;
    if (!registry.registerEvent(
            {name, u"A notice"_s,
             QJsonObject{{u"type"_s, u"object"_s}, {u"required"_s, QJsonArray{u"text"_s}}},
             CommandBridge::EventScope::Global})) {
        std::fprintf(stderr, "%s\n", qPrintable(registry.errorString()));
        return 1;
    }
    Announcer announcer;
    const QJsonObject data{{u"text"_s, u"saved"_s}, {u"n"_s, 1}};

    std::vector<double> publishNs;
    std::vector<double> signalNs;
    std::vector<double> ratios;
    QElapsedTimer timer;
    for (int round = 0; round < rounds; ++round) {
        timer.start();
        for (int i = 0; i < count; ++i)
            registry.publishEvent(name, data);
        const double publish = double(timer.nsecsElapsed()) / count;
        timer.start();
        for (int i = 0; i < count; ++i)
            announcer.announce(name, data);
        const double signal = double(timer.nsecsElapsed()) / count;
        publishNs.push_back(publish);
        signalNs.push_back(signal);
        ratios.push_back(publish / signal);
    }
    const Figures publish = figures(publishNs);
    const Figures signal = figures(signalNs);
    const Figures ratio = figures(ratios);
    std::printf("publishEvent without subscribers: %.1f ns (%.1f-%.1f)\n", publish.median,
                publish.low, publish.high);
    std::printf("unconnected Qt signal (baseline): %.1f ns (%.1f-%.1f)\n", signal.median,
                signal.low, signal.high);
    std::printf("ratio: %.2fx (%.2f-%.2f), %d rounds of %d\n", ratio.median, ratio.low, ratio.high,
                rounds, count);
    return 0;
}

#include "events_publish.moc"
