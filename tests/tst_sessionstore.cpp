// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Sessions by id: created on demand, kept while held, dropped after the idle time.

#include "messagedecoder_p.h"
#include "sessionstore_p.h"

#include <CommandBridge/session.h>

#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include <vector>

using namespace CommandBridge;
using namespace std::chrono_literals;

class tst_SessionStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acquireCreatesSession();
    void sameIdReturnsSameSession();
    void emptyIdCreatesNewUuidSession();
    void releasedSessionIsDroppedAfterIdleTime();
    void heldSessionIsKept();
    void sessionIsKeptUntilLastHolderReleases();
    void reacquiringDuringIdleTimeKeepsSession();
    void droppedSessionStartsEmpty();
    void sessionValuesRoundTrip();
    void updateIsAtomicAcrossThreads();
};

void tst_SessionStore::acquireCreatesSession()
{
    SessionStore store;
    QCOMPARE(store.count(), 0);
    QVERIFY(!store.contains(QStringLiteral("abc")));
    const std::shared_ptr<Session> session = store.acquire(QStringLiteral("abc"));
    QVERIFY(session);
    QCOMPARE(session->id(), QStringLiteral("abc"));
    QVERIFY(store.contains(QStringLiteral("abc")));
    QCOMPARE(store.count(), 1);
    QCOMPARE(session->state(), QJsonObject());
}

void tst_SessionStore::sameIdReturnsSameSession()
{
    SessionStore store;
    const std::shared_ptr<Session> first = store.acquire(QStringLiteral("abc"));
    const std::shared_ptr<Session> second = store.acquire(QStringLiteral("abc"));
    QCOMPARE(first.get(), second.get());
    QCOMPARE(store.count(), 1);
    first->setValue(QStringLiteral("k"), 1);
    QCOMPARE(second->value(QStringLiteral("k")), QJsonValue(1));

    const std::shared_ptr<Session> other = store.acquire(QStringLiteral("abd"));
    QVERIFY(other.get() != first.get());
    QCOMPARE(store.count(), 2);
}

void tst_SessionStore::emptyIdCreatesNewUuidSession()
{
    SessionStore store;
    const std::shared_ptr<Session> first = store.acquire();
    const std::shared_ptr<Session> second = store.acquire(QString());
    QVERIFY(first && second);
    QVERIFY(first.get() != second.get());
    QVERIFY(first->id() != second->id());
    QCOMPARE(store.count(), 2);
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                       "[0-9a-fA-F]{12}$"));
    for (const auto &session : {first, second}) {
        QVERIFY2(uuid.match(session->id()).hasMatch(), qPrintable(session->id()));
        // A generated id must be usable as ?session= to come back to it.
        QVERIFY(isValidSessionId(session->id()));
        QVERIFY(store.contains(session->id()));
        QCOMPARE(store.acquire(session->id()).get(), session.get());
    }
}

void tst_SessionStore::releasedSessionIsDroppedAfterIdleTime()
{
    SessionStore store;
    store.setIdleTime(50ms);
    QCOMPARE(store.idleTime(), 50ms);
    std::shared_ptr<Session> session = store.acquire(QStringLiteral("gone"));
    store.release(session);
    QVERIFY(store.contains(QStringLiteral("gone"))); // not at once: the idle time runs first
    QTRY_VERIFY(!store.contains(QStringLiteral("gone")));
    QCOMPARE(store.count(), 0);
    // A handler still holding the pointer keeps a usable object.
    session->setValue(QStringLiteral("k"), true);
    QCOMPARE(session->value(QStringLiteral("k")), QJsonValue(true));
}

void tst_SessionStore::heldSessionIsKept()
{
    SessionStore store;
    store.setIdleTime(50ms);
    const std::shared_ptr<Session> held = store.acquire(QStringLiteral("held"));
    store.release(store.acquire(QStringLiteral("released")));
    // By the time the released one is dropped, the held one has been idle-eligible as long.
    QTRY_VERIFY(!store.contains(QStringLiteral("released")));
    QVERIFY(store.contains(QStringLiteral("held")));
    QCOMPARE(store.count(), 1);
}

void tst_SessionStore::sessionIsKeptUntilLastHolderReleases()
{
    SessionStore store;
    store.setIdleTime(50ms);
    const std::shared_ptr<Session> first = store.acquire(QStringLiteral("shared"));
    const std::shared_ptr<Session> second = store.acquire(QStringLiteral("shared"));
    store.release(first);

    store.release(store.acquire(QStringLiteral("witness")));
    QTRY_VERIFY(!store.contains(QStringLiteral("witness")));
    QVERIFY(store.contains(QStringLiteral("shared")));

    store.release(second);
    QTRY_VERIFY(!store.contains(QStringLiteral("shared")));
    QCOMPARE(store.count(), 0);
}

void tst_SessionStore::reacquiringDuringIdleTimeKeepsSession()
{
    SessionStore store;
    store.setIdleTime(200ms);
    const std::shared_ptr<Session> session = store.acquire(QStringLiteral("back"));
    session->setValue(QStringLiteral("k"), QStringLiteral("v"));
    store.release(session);
    // A client reconnects within the idle time.
    const std::shared_ptr<Session> again = store.acquire(QStringLiteral("back"));
    QCOMPARE(again.get(), session.get());
    QCOMPARE(again->value(QStringLiteral("k")), QJsonValue(QStringLiteral("v")));

    // Its old idle timer must not drop it: wait out a session released later than it.
    store.release(store.acquire(QStringLiteral("witness")));
    QTRY_VERIFY(!store.contains(QStringLiteral("witness")));
    QVERIFY(store.contains(QStringLiteral("back")));

    store.release(again);
    QTRY_VERIFY(!store.contains(QStringLiteral("back")));
}

void tst_SessionStore::droppedSessionStartsEmpty()
{
    SessionStore store;
    store.setIdleTime(20ms);
    const std::shared_ptr<Session> session = store.acquire(QStringLiteral("again"));
    session->setValue(QStringLiteral("k"), 1);
    store.release(session);
    QTRY_VERIFY(!store.contains(QStringLiteral("again")));
    const std::shared_ptr<Session> fresh = store.acquire(QStringLiteral("again"));
    QVERIFY(fresh.get() != session.get());
    QCOMPARE(fresh->state(), QJsonObject());
}

void tst_SessionStore::sessionValuesRoundTrip()
{
    Session session(QStringLiteral("s"));
    QCOMPARE(session.id(), QStringLiteral("s"));
    QVERIFY(session.value(QStringLiteral("missing")).isUndefined());
    session.setValue(QStringLiteral("a"), 1);
    session.setValue(QStringLiteral("b"), QJsonObject{{QStringLiteral("x"), QStringLiteral("y")}});
    QCOMPARE(session.state(),
             (QJsonObject{
                 {QStringLiteral("a"), 1},
                 {QStringLiteral("b"), QJsonObject{{QStringLiteral("x"), QStringLiteral("y")}}}}));
    session.remove(QStringLiteral("a"));
    QVERIFY(session.value(QStringLiteral("a")).isUndefined());
    session.update([](QJsonObject &state) { state.insert(QStringLiteral("c"), true); });
    QCOMPARE(session.value(QStringLiteral("c")), QJsonValue(true));
}

void tst_SessionStore::updateIsAtomicAcrossThreads()
{
    Session session(QStringLiteral("counter"));
    constexpr int threadCount = 8;
    constexpr int incrementsPerThread = 2000;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back(QThread::create([&session] {
            for (int i = 0; i < incrementsPerThread; ++i) {
                session.update([](QJsonObject &state) {
                    const int n = state.value(QStringLiteral("n")).toInt();
                    state.insert(QStringLiteral("n"), n + 1);
                });
            }
        }));
        threads.back()->start();
    }
    for (const auto &thread : threads)
        QVERIFY(thread->wait(QDeadlineTimer(30s)));
    QCOMPARE(session.value(QStringLiteral("n")).toInt(), threadCount * incrementsPerThread);
}

QTEST_GUILESS_MAIN(tst_SessionStore)
#include "tst_sessionstore.moc"
