// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "appcommands.h"
#include "bridgewindow.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCommandLineParser>
#include <QtNetwork/QHostAddress>
#include <QtWidgets/QApplication>
#include <QtWidgets/QMessageBox>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"command-bridge-widgets-app"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"A Qt Widgets window that embeds a CommandBridge server"_s);
    parser.addHelpOption();
    const QCommandLineOption portOption(u"port"_s, u"Port on 127.0.0.1 (0 picks a free one)."_s,
                                        u"port"_s, u"0"_s);
    parser.addOption(portOption);
    parser.process(app);
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (!portOk || port > 65535)
        parser.showHelp(2);

    // Declared in this order so they are destroyed server first, then the registry (which stops
    // and waits for worker-pool commands), then the window their handlers and log refer to.
    BridgeWindow window;
    CommandBridge::CommandRegistry registry;
    registerAppCommands(registry, window);
    window.watch(&registry);

    CommandBridge::CommandBridgeServer server(&registry);
    if (!server.listen(QHostAddress::LocalHost, static_cast<quint16>(port))) {
        QMessageBox::critical(nullptr, window.windowTitle(),
                              u"Cannot listen: %1"_s.arg(server.errorString()));
        return 1;
    }
    window.setServerUrl(server.webSocketUrl(), server.httpUrl());
    // Also on stdout, for scripts that drive the example.
    std::printf("listening on %s\n", qPrintable(server.httpUrl().toString()));
    std::fflush(stdout);

    window.show();
    return QApplication::exec();
}
