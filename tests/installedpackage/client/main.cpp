// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Runs a command on a client that is not connected: the call finishes as Disconnected from the
// event loop, and the consumer exits 0. Proof that the installed Client component alone is enough
// for a C++ client (the run.cmake checks that it pulled in neither Qt Qml nor Qt Gui).

#include <CommandBridge/commandcall.h>
#include <CommandBridge/commandclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);

    CommandBridge::CommandClient client;
    if (client.state() != CommandBridge::CommandClient::Disconnected) {
        std::fprintf(stderr, "a new client is not Disconnected\n");
        return 1;
    }
    CommandBridge::CommandCall *call = client.run(QStringLiteral("greet"));
    QObject::connect(call, &CommandBridge::CommandCall::finished, &app, [call] {
        const bool disconnected = call->state() == CommandBridge::CommandCall::Disconnected;
        std::printf("call finished: %s\n", qPrintable(call->errorCode()));
        QCoreApplication::exit(disconnected ? 0 : 1);
    });
    // Bounded: the call finishes on the first pass of the event loop.
    QTimer::singleShot(10000, &app, [] {
        std::fprintf(stderr, "the call never finished\n");
        QCoreApplication::exit(1);
    });
    return app.exec();
}
