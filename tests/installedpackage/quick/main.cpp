// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Creates a CommandClient in QML with `import CommandBridge` found on the installed QML import
// path (the plugin loads the installed libraries next to it) and checks that QML sees the C++
// object and the `calls` list the module adds. Exits 0 when it does.

#include <CommandBridge/commandclient.h>

#include <QtCore/QCoreApplication>
#include <QtQml/QQmlComponent>
#include <QtQml/QQmlEngine>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);

    QQmlEngine engine;
    engine.addImportPath(QStringLiteral(QML_IMPORT_DIR));
    QQmlComponent component(&engine);
    component.setData(R"(
        import CommandBridge
        CommandClient {
            url: "ws://127.0.0.1:1/ws"
            readonly property int callCount: calls.length
        }
    )",
                      QUrl());
    const std::unique_ptr<QObject> object(component.create());
    auto *client = qobject_cast<CommandBridge::CommandClient *>(object.get());
    if (!client) {
        std::fprintf(stderr, "cannot create a CommandClient in QML: %s\n",
                     qPrintable(component.errorString()));
        return 1;
    }
    if (client->url() != QUrl(QStringLiteral("ws://127.0.0.1:1/ws"))) {
        std::fprintf(stderr, "QML did not set the url\n");
        return 1;
    }
    client->run(QStringLiteral("greet"));
    const int callCount = object->property("callCount").toInt();
    std::printf("CommandClient from QML, calls: %d\n", callCount);
    return callCount == 1 ? 0 : 1;
}
