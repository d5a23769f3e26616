// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Every error code: its wire string and the HTTP status a REST response carries for it.

#include <CommandBridge/commanderror.h>

#include <QtTest/QTest>

using namespace CommandBridge;

Q_DECLARE_METATYPE(CommandBridge::ErrorCode)

class tst_CommandError : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCodeHasItsStringAndStatus_data();
    void everyCodeHasItsStringAndStatus();
    void handlerCodesMapByString_data();
    void handlerCodesMapByString();
};

void tst_CommandError::everyCodeHasItsStringAndStatus_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("string");
    QTest::addColumn<int>("status");

    // One row per ErrorCode, in declaration order (spec sections 5 and 10.5).
    QTest::newRow("BadMessage") << ErrorCode::BadMessage << QStringLiteral("bad_message") << 400;
    QTest::newRow("UnknownType") << ErrorCode::UnknownType << QStringLiteral("unknown_type") << 500;
    QTest::newRow("UnknownCommand")
        << ErrorCode::UnknownCommand << QStringLiteral("unknown_command") << 404;
    QTest::newRow("InvalidArgs") << ErrorCode::InvalidArgs << QStringLiteral("invalid_args") << 400;
    QTest::newRow("SessionMismatch")
        << ErrorCode::SessionMismatch << QStringLiteral("session_mismatch") << 400;
    QTest::newRow("NoSession") << ErrorCode::NoSession << QStringLiteral("no_session") << 400;
    QTest::newRow("DuplicateId") << ErrorCode::DuplicateId << QStringLiteral("duplicate_id") << 500;
    QTest::newRow("UnknownId") << ErrorCode::UnknownId << QStringLiteral("unknown_id") << 500;
    QTest::newRow("Busy") << ErrorCode::Busy << QStringLiteral("busy") << 503;
    QTest::newRow("Timeout") << ErrorCode::Timeout << QStringLiteral("timeout") << 504;
    QTest::newRow("Cancelled") << ErrorCode::Cancelled << QStringLiteral("cancelled") << 500;
    QTest::newRow("Unauthorized") << ErrorCode::Unauthorized << QStringLiteral("unauthorized")
                                  << 401;
    QTest::newRow("Forbidden") << ErrorCode::Forbidden << QStringLiteral("forbidden") << 403;
    QTest::newRow("PayloadTooLarge")
        << ErrorCode::PayloadTooLarge << QStringLiteral("payload_too_large") << 413;
    QTest::newRow("ShuttingDown") << ErrorCode::ShuttingDown << QStringLiteral("shutting_down")
                                  << 503;
    QTest::newRow("Failed") << ErrorCode::Failed << QStringLiteral("failed") << 500;
    QTest::newRow("Internal") << ErrorCode::Internal << QStringLiteral("internal") << 500;
    QTest::newRow("NotFound") << ErrorCode::NotFound << QStringLiteral("not_found") << 404;
    QTest::newRow("MethodNotAllowed")
        << ErrorCode::MethodNotAllowed << QStringLiteral("method_not_allowed") << 405;
    QTest::newRow("UnknownEvent") << ErrorCode::UnknownEvent << QStringLiteral("unknown_event")
                                  << 404;
}

void tst_CommandError::everyCodeHasItsStringAndStatus()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, string);
    QFETCH(int, status);

    QCOMPARE(errorCodeString(code), string);
    QCOMPARE(httpStatusForErrorCode(code), status);
    // A failed CommandResult carries the string: it must map the same way.
    QCOMPARE(httpStatusForErrorCode(string), status);
}

void tst_CommandError::handlerCodesMapByString_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("status");

    QTest::newRow("conflict") << QStringLiteral("conflict") << 409;
    QTest::newRow("a code of its own") << QStringLiteral("disk_full") << 500;
    QTest::newRow("empty") << QString() << 500;
    QTest::newRow("case matters") << QStringLiteral("NOT_FOUND") << 500;
}

void tst_CommandError::handlerCodesMapByString()
{
    QFETCH(QString, code);
    QFETCH(int, status);

    QCOMPARE(httpStatusForErrorCode(code), status);
}

QTEST_APPLESS_MAIN(tst_CommandError)
#include "tst_commanderror.moc"
