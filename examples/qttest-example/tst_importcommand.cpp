// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// An application's test of its own command, end to end over a real socket: start a bridge on a
// free port, connect a CommandClient, run the command and assert on what a user would see.

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandclient.h>
#include <CommandBridge/commandcontext.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

using namespace CommandBridge;

namespace {

// The application's code under test: an `import` command that works through its files on the
// worker pool, reporting each one.
CommandBuilder importCommand()
{
    return CommandBuilder(QStringLiteral("import"))
        .description(QStringLiteral("Imports files"))
        .mode(ExecutionMode::WorkerPool)
        .args(R"({
            "type": "object",
            "properties": {"files": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
            "required": ["files"]
        })")
        .handler([](CommandContext &context) {
            const QJsonArray files = context.args().value(QStringLiteral("files")).toArray();
            for (int i = 0; i < files.size(); ++i) {
                if (context.isCancelled())
                    return;
                context.reportProgress(QStringLiteral("Imported %1").arg(files.at(i).toString()),
                                       100.0 * (i + 1) / files.size());
            }
            context.succeed(QJsonObject{{QStringLiteral("imported"), files.size()}});
        });
}

} // namespace

class tst_ImportCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        CommandBuilder command = importCommand();
        QVERIFY2(command.registerIn(m_registry), qPrintable(command.errorString()));
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0)); // port 0: any free port
        m_client.setUrl(m_server.webSocketUrl());
        m_client.connectToServer();
        QTRY_COMPARE(m_client.state(), CommandClient::Connected);
    }

    void importReportsEachFileThenTheCount()
    {
        CommandCall *call = m_client.run(
            QStringLiteral("import"),
            QJsonObject{{QStringLiteral("files"),
                         QJsonArray{QStringLiteral("a.csv"), QStringLiteral("b.csv")}}});
        QList<double> progress;
        connect(call, &CommandCall::progressChanged, this,
                [&] { progress.append(call->progress()); });

        QTRY_COMPARE(call->state(), CommandCall::Succeeded);
        QCOMPARE(progress, (QList<double>{50, 100}));
        QCOMPARE(call->message(), QStringLiteral("Imported b.csv"));
        QCOMPARE(call->result()[QStringLiteral("imported")].toInt(), 2);
    }

    void importWithoutFilesIsRefused()
    {
        CommandCall *call = m_client.run(QStringLiteral("import"),
                                         QJsonObject{{QStringLiteral("files"), QJsonArray()}});

        QTRY_COMPARE(call->state(), CommandCall::Failed);
        QCOMPARE(call->errorCode(), QStringLiteral("invalid_args"));
        QCOMPARE(call->errorDetails().first()[QStringLiteral("path")].toString(),
                 QStringLiteral("/files"));
    }

private:
    CommandRegistry m_registry;
    CommandBridgeServer m_server{&m_registry};
    CommandClient m_client;
};

QTEST_MAIN(tst_ImportCommand)
#include "tst_importcommand.moc"
