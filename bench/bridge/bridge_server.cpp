// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The CommandBridge server under benchmark: `echo` and `burst` over WebSocket and REST.

#include "../baselines/benchserver.h"
#include "benchcommands.h"

#include <QtCore/QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("CommandBridge benchmark server"));
    BridgeBench::addOptions(parser);
    parser.process(app);
    BridgeBench::Options options;
    if (!BridgeBench::readOptions(parser, options))
        parser.showHelp(2);

    BridgeBench::Bridge bridge;
    if (!bridge.start(options))
        return 1;
    BenchServer::quitOnTerminationSignals(app);
    BenchServer::announcePort(bridge.server.serverPort());
    return app.exec();
}
