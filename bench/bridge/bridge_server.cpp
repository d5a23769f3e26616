// The CommandBridge server under benchmark: `echo` and `burst` over WebSocket and REST.

#include "../baselines/benchserver.h"
#include "benchcommands.h"

#include <QtCore/QCoreApplication>
#include <QtNetwork/QHostAddress>

#include <cstdio>

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

    CommandBridge::CommandRegistry registry;
    if (!BridgeBench::registerCommands(registry, options.handlerThread))
        qFatal("%s", qPrintable(registry.errorString()));
    CommandBridge::CommandBridgeServer server(&registry);
    server.setOptions(BridgeBench::serverOptions(options));
    if (!server.listen(QHostAddress::LocalHost, options.port)) {
        std::fprintf(stderr, "%s\n", qPrintable(server.errorString()));
        return 1;
    }
    BenchServer::quitOnTerminationSignals(app);
    BenchServer::announcePort(server.serverPort());
    return app.exec();
}
