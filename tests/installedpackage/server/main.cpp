// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Registers a command, serves it on 127.0.0.1 (port 0) and exits 0 once listening: proof that
// the installed headers, library and CMake component Server are enough to embed CommandBridge.

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/version.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHostAddress>

#include <cstdio>

// The package was asked for 0.1 or a compatible version (CMakeLists.txt).
static_assert(COMMANDBRIDGE_VERSION >= COMMANDBRIDGE_VERSION_CHECK(0, 1, 0),
              "version.h compares like QT_VERSION_CHECK");

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);

    CommandBridge::CommandRegistry registry;
    CommandBridge::CommandDescriptor greet;
    greet.name = QStringLiteral("greet");
    greet.description = QStringLiteral("Says hello");
    greet.mode = CommandBridge::ExecutionMode::Synchronous;
    greet.handler = [](CommandBridge::CommandContext &context) {
        context.succeed(QJsonObject{{QStringLiteral("hello"), QStringLiteral("world")}});
    };
    if (!registry.registerCommand(greet) || !registry.contains(QStringLiteral("greet"))) {
        std::fprintf(stderr, "cannot register: %s\n", qPrintable(registry.errorString()));
        return 1;
    }
    if (registry.registerCommand(greet)) {
        std::fprintf(stderr, "registering a name twice succeeded\n");
        return 1;
    }

    CommandBridge::CommandBridgeServer server(&registry);
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        std::fprintf(stderr, "cannot listen: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("CommandBridge %s listening on %s\n", COMMANDBRIDGE_VERSION_STRING,
                qPrintable(server.httpUrl().toString()));
    return 0;
}
