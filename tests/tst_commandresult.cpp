// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// CommandResult as a value: what each constructor gives, and copies that share without aliasing.

#include <CommandBridge/commandresult.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QVariant>
#include <QtTest/QTest>

#include <utility>

using namespace CommandBridge;

class tst_CommandResult : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultIsAnEmptyFailure();
    void successCarriesItsValue();
    void successWithoutValueIsNull();
    void failureCarriesCodeMessageAndDetails();
    void failureWithErrorCodeUsesItsWireString();
    void copiesAndMovesKeepTheValue();
    void travelsInAVariant();
};

void tst_CommandResult::defaultIsAnEmptyFailure()
{
    const CommandResult result;

    QVERIFY(!result.isSuccess());
    QVERIFY(result.value().isNull());
    QCOMPARE(result.errorCode(), QString());
    QCOMPARE(result.errorMessage(), QString());
    QVERIFY(result.errorDetails().isUndefined());
}

void tst_CommandResult::successCarriesItsValue()
{
    const CommandResult result = CommandResult::success(QJsonObject{{QStringLiteral("n"), 3}});

    QVERIFY(result.isSuccess());
    QCOMPARE(result.value(), QJsonValue(QJsonObject{{QStringLiteral("n"), 3}}));
    QCOMPARE(result.errorCode(), QString());
    QVERIFY(result.errorDetails().isUndefined());
}

void tst_CommandResult::successWithoutValueIsNull()
{
    QVERIFY(CommandResult::success().value().isNull());
    QVERIFY(CommandResult::success(QJsonValue(QJsonValue::Undefined)).value().isNull());
}

void tst_CommandResult::failureCarriesCodeMessageAndDetails()
{
    const QJsonArray details{QJsonObject{{QStringLiteral("path"), QStringLiteral("/n")}}};
    const CommandResult result =
        CommandResult::failure(QStringLiteral("conflict"), QStringLiteral("Taken"), details);

    QVERIFY(!result.isSuccess());
    QCOMPARE(result.errorCode(), QStringLiteral("conflict"));
    QCOMPARE(result.errorMessage(), QStringLiteral("Taken"));
    QCOMPARE(result.errorDetails(), QJsonValue(details));
    QVERIFY(CommandResult::failure(QStringLiteral("x"), QString()).errorDetails().isUndefined());
}

void tst_CommandResult::failureWithErrorCodeUsesItsWireString()
{
    QCOMPARE(
        CommandResult::failure(ErrorCode::NotFound, QStringLiteral("No such thing")).errorCode(),
        QStringLiteral("not_found"));
}

void tst_CommandResult::copiesAndMovesKeepTheValue()
{
    const CommandResult original = CommandResult::failure(ErrorCode::Busy, QStringLiteral("Full"));

    CommandResult copy = original;
    QCOMPARE(copy.errorCode(), QStringLiteral("busy"));
    copy = CommandResult::success(1);
    QCOMPARE(original.errorCode(), QStringLiteral("busy")); // no aliasing through the shared data
    QVERIFY(copy.isSuccess());

    CommandResult moved = std::move(copy);
    QVERIFY(moved.isSuccess());
    QCOMPARE(moved.value().toInt(), 1);
    copy = original; // a moved-from result can be assigned again
    QCOMPARE(copy.errorMessage(), QStringLiteral("Full"));

    CommandResult assigned;
    assigned = std::move(moved);
    QCOMPARE(assigned.value().toInt(), 1);
    assigned.swap(copy);
    QCOMPARE(assigned.errorCode(), QStringLiteral("busy"));
    QCOMPARE(copy.value().toInt(), 1);
}

void tst_CommandResult::travelsInAVariant()
{
    const QVariant variant = QVariant::fromValue(CommandResult::success(QStringLiteral("ok")));

    QCOMPARE(variant.value<CommandResult>().value().toString(), QStringLiteral("ok"));
}

QTEST_APPLESS_MAIN(tst_CommandResult)
#include "tst_commandresult.moc"
