// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The per-connection outgoing queue (spec section 8) against a fake transport: messages pass
// straight through while the transport keeps up; above the high-water mark a request's waiting
// progress is coalesced to its newest, and nothing else is ever dropped or reordered.

#include "outgoingqueue_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtTest/QTest>

#include <algorithm>
#include <vector>

using namespace CommandBridge;

namespace {

/// Stands in for a socket: records what it was given and reports a backlog the test controls.
/// With growOnWrite, every write adds its size to the backlog, as a socket that sends nothing.
struct FakeTransport
{
    QList<QByteArray> written;
    qint64 backlog = 0;
    bool growOnWrite = false;

    OutgoingQueue::Writer writer()
    {
        return [this](const QByteArray &message) {
            written.append(message);
            if (growOnWrite)
                backlog += message.size();
        };
    }
    OutgoingQueue::Backlog backlogSource()
    {
        return [this] {
            return backlog;
        };
    }
};

/// Stand-ins for running requests: the queue only compares their addresses.
struct Request
{
    char name;
};

QByteArray progress(const Request &request, int step)
{
    return QByteArray("progress ") + request.name + ' ' + QByteArray::number(step);
}

QByteArray result(const Request &request)
{
    return QByteArray("result ") + request.name;
}

/// The messages of \a written that belong to \a request, in order.
QList<QByteArray> messagesOf(const QList<QByteArray> &written, const Request &request)
{
    QList<QByteArray> found;
    const QByteArray progressPrefix = QByteArray("progress ") + request.name + ' ';
    for (const QByteArray &message : written) {
        if (message.startsWith(progressPrefix) || message == result(request))
            found.append(message);
    }
    return found;
}

constexpr qint64 highWater = 100;

} // namespace

class tst_OutgoingQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesPassStraightThroughBelowHighWater();
    void everyProgressIsWrittenWhileTransportKeepsUp();
    void messagesWaitFromHighWaterOn_data();
    void messagesWaitFromHighWaterOn();
    void waitingProgressIsReplacedByItsNewest();
    void eachRequestKeepsItsOwnNewestProgress();
    void waitingBytesFollowReplacement();
    void resultsAreNeverDropped();
    void otherRepliesAreNeverDropped();
    void resultFollowsItsRequestsNewestProgress();
    void progressAfterResultOfReusedKeyStaysBehindResult();
    void progressAlreadyHandedOverIsNotReplaced();
    void laterMessagesWaitBehindWaitingOnes();
    void flushWritesWaitingMessagesInOrderWhenBacklogDrops();
    void flushStopsWhenTransportFillsAgain();
    void flushWithNothingWaitingWritesNothing();
    void backlogAtTheMarkIsSentBeforeMessagesWait();
    void backlogTheNetworkDoesNotTakeIsSentAgainOnlyAfterBytesLeft();
    void sendThatReportsBytesAtOnceKeepsTheOrder();
    void unsentBytesAreWaitingPlusBacklog();
    void millionProgressReportsKeepQueueBounded();
    void eventsPassStraightThroughBelowHighWater();
    void waitingEventGivesWayToTheNewestOfItsKind();
    void eventsNeverOvertakeOrDropOtherMessages();
};

void tst_OutgoingQueue::messagesPassStraightThroughBelowHighWater()
{
    FakeTransport transport;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const Request b{'b'};

    queue.push("hello");
    queue.pushProgress(&a, progress(a, 1));
    queue.pushProgress(&b, progress(b, 1));
    queue.pushProgress(&a, progress(a, 2));
    queue.push(result(a), &a);
    queue.push("pong");
    queue.push(result(b), &b);

    const QList<QByteArray> expected{"hello",   progress(a, 1), progress(b, 1), progress(a, 2),
                                     result(a), "pong",         result(b)};
    QCOMPARE(transport.written, expected);
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::everyProgressIsWrittenWhileTransportKeepsUp()
{
    // A transport that sends everything at once: its backlog never grows.
    FakeTransport transport;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    constexpr int updates = 10000;

    for (int step = 1; step <= updates; ++step) {
        queue.pushProgress(&a, progress(a, step));
        queue.flush();
    }
    queue.push(result(a), &a);

    QCOMPARE(transport.written.size(), updates + 1);
    for (int step = 1; step <= updates; ++step)
        QCOMPARE(transport.written.at(step - 1), progress(a, step));
    QCOMPARE(transport.written.last(), result(a));
}

void tst_OutgoingQueue::messagesWaitFromHighWaterOn_data()
{
    QTest::addColumn<qint64>("backlog");
    QTest::addColumn<bool>("written");

    QTest::newRow("empty transport") << qint64(0) << true;
    QTest::newRow("one byte below the mark") << highWater - 1 << true;
    QTest::newRow("at the mark") << highWater << false;
    QTest::newRow("far above the mark") << highWater * 1000 << false;
}

void tst_OutgoingQueue::messagesWaitFromHighWaterOn()
{
    QFETCH(qint64, backlog);
    QFETCH(bool, written);

    FakeTransport transport;
    transport.backlog = backlog;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    queue.pushProgress(&a, progress(a, 1));
    QCOMPARE(transport.written.size(), written ? 1 : 0);
    QCOMPARE(queue.waitingBytes(), written ? 0 : progress(a, 1).size());

    FakeTransport replies;
    replies.backlog = backlog;
    OutgoingQueue replyQueue(replies.writer(), replies.backlogSource(), highWater);
    replyQueue.push("pong");
    QCOMPARE(replies.written.size(), written ? 1 : 0);
    QCOMPARE(replyQueue.waitingBytes(), written ? 0 : qint64(4));
}

void tst_OutgoingQueue::waitingProgressIsReplacedByItsNewest()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    for (int step = 1; step <= 50; ++step)
        queue.pushProgress(&a, progress(a, step));
    QVERIFY(transport.written.isEmpty());
    QCOMPARE(queue.waitingBytes(), progress(a, 50).size());

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, QList<QByteArray>{progress(a, 50)});
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::eachRequestKeepsItsOwnNewestProgress()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const Request b{'b'};
    const Request c{'c'};

    for (int step = 1; step <= 10; ++step) {
        queue.pushProgress(&a, progress(a, step));
        queue.pushProgress(&b, progress(b, step * 2));
        if (step <= 3)
            queue.pushProgress(&c, progress(c, step));
    }
    transport.backlog = 0;
    queue.flush();

    QCOMPARE(transport.written.size(), 3);
    QCOMPARE(messagesOf(transport.written, a), QList<QByteArray>{progress(a, 10)});
    QCOMPARE(messagesOf(transport.written, b), QList<QByteArray>{progress(b, 20)});
    QCOMPARE(messagesOf(transport.written, c), QList<QByteArray>{progress(c, 3)});
}

void tst_OutgoingQueue::waitingBytesFollowReplacement()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const Request b{'b'};

    queue.pushProgress(&a, QByteArray(10, 'a'));
    queue.pushProgress(&b, QByteArray(7, 'b'));
    QCOMPARE(queue.waitingBytes(), 17);
    queue.pushProgress(&a, QByteArray(30, 'a'));
    QCOMPARE(queue.waitingBytes(), 37);
    queue.pushProgress(&a, QByteArray(2, 'a'));
    QCOMPARE(queue.waitingBytes(), 9);
    queue.push(QByteArray(5, 'r'), &a);
    QCOMPARE(queue.waitingBytes(), 14);

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(queue.waitingBytes(), 0);
    const QList<QByteArray> expected{QByteArray(2, 'a'), QByteArray(7, 'b'), QByteArray(5, 'r')};
    QCOMPARE(transport.written, expected);
}

void tst_OutgoingQueue::resultsAreNeverDropped()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    constexpr int requests = 1000;
    std::vector<Request> running(requests, Request{'r'});
    const auto progressOf = [](int request, int step) -> QByteArray {
        return "progress " + QByteArray::number(request) + ' ' + QByteArray::number(step);
    };

    QList<QByteArray> expected;
    for (int i = 0; i < requests; ++i) {
        for (int step = 1; step <= 5; ++step)
            queue.pushProgress(&running[i], progressOf(i, step));
        queue.push("result " + QByteArray::number(i), &running[i]);
        expected.append(progressOf(i, 5));
        expected.append("result " + QByteArray::number(i));
    }
    QVERIFY(transport.written.isEmpty());

    transport.backlog = 0;
    queue.flush();
    // Each request: its newest progress, then its result; every result is there.
    QCOMPARE(transport.written, expected);
}

void tst_OutgoingQueue::otherRepliesAreNeverDropped()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    QList<QByteArray> replies;
    for (int i = 0; i < 100; ++i) {
        const QByteArray pong = "pong " + QByteArray::number(i);
        queue.push(pong);
        queue.pushProgress(&a, progress(a, i));
        replies.append(pong);
    }
    transport.backlog = 0;
    queue.flush();

    QList<QByteArray> pongs;
    for (const QByteArray &message : std::as_const(transport.written)) {
        if (message.startsWith("pong "))
            pongs.append(message);
    }
    QCOMPARE(pongs, replies);
    QCOMPARE(messagesOf(transport.written, a), QList<QByteArray>{progress(a, 99)});
}

void tst_OutgoingQueue::resultFollowsItsRequestsNewestProgress()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const Request b{'b'};

    queue.pushProgress(&a, progress(a, 1));
    queue.pushProgress(&b, progress(b, 1));
    queue.pushProgress(&a, progress(a, 2));
    queue.push(result(a), &a);
    queue.pushProgress(&b, progress(b, 2));
    queue.push(result(b), &b);

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(messagesOf(transport.written, a), (QList<QByteArray>{progress(a, 2), result(a)}));
    QCOMPARE(messagesOf(transport.written, b), (QList<QByteArray>{progress(b, 2), result(b)}));
    QCOMPARE(transport.written.size(), 4);
}

void tst_OutgoingQueue::progressAfterResultOfReusedKeyStaysBehindResult()
{
    // A finished request's address may be reused by the next request; the new request's progress
    // must not be merged into the old one's, ahead of the old result.
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request reused{'a'};

    queue.pushProgress(&reused, "first 1");
    queue.pushProgress(&reused, "first 2");
    queue.push("first result", &reused);
    queue.pushProgress(&reused, "second 1");
    queue.pushProgress(&reused, "second 2");
    queue.push("second result", &reused);

    transport.backlog = 0;
    queue.flush();
    const QList<QByteArray> expected{"first 2", "first result", "second 2", "second result"};
    QCOMPARE(transport.written, expected);
}

void tst_OutgoingQueue::progressAlreadyHandedOverIsNotReplaced()
{
    FakeTransport transport;
    transport.growOnWrite = true;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    queue.pushProgress(&a, progress(a, 1));
    transport.backlog = highWater - 1;
    queue.flush();
    QCOMPARE(transport.written, QList<QByteArray>{progress(a, 1)});

    // The transport is full again; later progress waits and is coalesced on its own.
    queue.pushProgress(&a, progress(a, 2));
    queue.pushProgress(&a, progress(a, 3));
    queue.push(result(a), &a);
    transport.backlog = 0;
    queue.flush();
    const QList<QByteArray> expected{progress(a, 1), progress(a, 3), result(a)};
    QCOMPARE(transport.written, expected);
}

void tst_OutgoingQueue::laterMessagesWaitBehindWaitingOnes()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    queue.pushProgress(&a, progress(a, 1));
    queue.push("pong 1");
    // The transport has drained, but the queue was not flushed yet: nothing may overtake.
    transport.backlog = 0;
    queue.push("pong 2");
    queue.push(result(a), &a);
    QVERIFY(transport.written.isEmpty());

    queue.flush();
    const QList<QByteArray> expected{progress(a, 1), "pong 1", "pong 2", result(a)};
    QCOMPARE(transport.written, expected);
}

void tst_OutgoingQueue::flushWritesWaitingMessagesInOrderWhenBacklogDrops()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const Request b{'b'};

    queue.push("hello");
    queue.pushProgress(&a, progress(a, 1));
    queue.push("pong");
    queue.pushProgress(&b, progress(b, 1));
    queue.push(result(b), &b);
    queue.push(result(a), &a);

    queue.flush();
    QVERIFY(transport.written.isEmpty());

    transport.backlog = 0;
    queue.flush();
    const QList<QByteArray> expected{"hello",        progress(a, 1), "pong",
                                     progress(b, 1), result(b),      result(a)};
    QCOMPARE(transport.written, expected);
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::flushStopsWhenTransportFillsAgain()
{
    FakeTransport transport;
    transport.growOnWrite = true;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);

    QList<QByteArray> messages;
    for (int i = 0; i < 10; ++i) {
        messages.append(QByteArray(30, char('0' + i)));
        queue.push(messages.last());
    }
    QCOMPARE(queue.waitingBytes(), 300);

    // Room for 0, 30, 60, 90 bytes of backlog: four messages go, the fifth would start at 120.
    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, messages.mid(0, 4));
    QCOMPARE(queue.waitingBytes(), 180);

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, messages.mid(0, 8));

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, messages);
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::backlogAtTheMarkIsSentBeforeMessagesWait()
{
    // A socket written many times in one pass of its thread: its buffer is past the mark, but
    // the network takes it all when asked.
    FakeTransport transport;
    transport.growOnWrite = true;
    int sends = 0;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater, [&] {
        ++sends;
        transport.backlog = 0;
    });
    const Request a{'a'};
    constexpr int updates = 1000;

    for (int step = 1; step <= updates; ++step)
        queue.pushProgress(&a, progress(a, step));
    queue.push(result(a), &a);

    QCOMPARE(transport.written.size(), updates + 1);
    for (int step = 1; step <= updates; ++step)
        QCOMPARE(transport.written.at(step - 1), progress(a, step));
    QCOMPARE(queue.waitingBytes(), 0);
    // Once per mark's worth of bytes, not once per message.
    QVERIFY2(sends > 0 && sends < updates / 4, qPrintable(QString::number(sends)));
}

void tst_OutgoingQueue::backlogTheNetworkDoesNotTakeIsSentAgainOnlyAfterBytesLeft()
{
    // A client that does not read: sending changes nothing.
    FakeTransport transport;
    transport.backlog = highWater;
    int sends = 0;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater,
                        [&sends] { ++sends; });
    const Request a{'a'};
    const Request b{'b'};

    for (int step = 1; step <= 1000; ++step) {
        queue.pushProgress(&a, progress(a, step));
        queue.pushProgress(&b, progress(b, step));
    }
    QCOMPARE(sends, 1);
    QVERIFY(transport.written.isEmpty());
    QCOMPARE(queue.waitingBytes(), progress(a, 1000).size() + progress(b, 1000).size());

    // Bytes left, not enough: one more try, then waiting again.
    transport.backlog = highWater + 1;
    queue.flush();
    QCOMPARE(sends, 2);
    queue.pushProgress(&a, progress(a, 1001));
    queue.push("pong");
    QCOMPARE(sends, 2);
    QVERIFY(transport.written.isEmpty());

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, (QList<QByteArray>{progress(a, 1001), progress(b, 1000), "pong"}));
}

void tst_OutgoingQueue::sendThatReportsBytesAtOnceKeepsTheOrder()
{
    // A socket emits bytesWritten inside flush(), and its owner calls flush() on the queue there.
    FakeTransport transport;
    transport.backlog = highWater;
    bool networkTakes = false;
    OutgoingQueue *reentered = nullptr;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater, [&] {
        if (!networkTakes)
            return;
        transport.backlog = 0;
        reentered->flush();
    });
    reentered = &queue;
    const Request a{'a'};

    queue.pushProgress(&a, progress(a, 1));
    queue.push("pong");
    QVERIFY(transport.written.isEmpty());

    networkTakes = true;
    transport.growOnWrite = true;
    queue.flush();
    queue.pushProgress(&a, progress(a, 2));
    queue.push(result(a), &a);
    QCOMPARE(transport.written,
             (QList<QByteArray>{progress(a, 1), "pong", progress(a, 2), result(a)}));
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::flushWithNothingWaitingWritesNothing()
{
    FakeTransport transport;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    queue.flush();
    transport.backlog = highWater * 10;
    queue.flush();
    QVERIFY(transport.written.isEmpty());
    QCOMPARE(queue.waitingBytes(), 0);
}

void tst_OutgoingQueue::unsentBytesAreWaitingPlusBacklog()
{
    FakeTransport transport;
    transport.backlog = 250;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};

    QCOMPARE(queue.unsentBytes(), 250);
    queue.push(QByteArray(40, 'x'));
    queue.pushProgress(&a, QByteArray(12, 'p'));
    queue.pushProgress(&a, QByteArray(20, 'p'));
    QCOMPARE(queue.waitingBytes(), 60);
    QCOMPARE(queue.unsentBytes(), 310);
    transport.backlog = 1000;
    QCOMPARE(queue.unsentBytes(), 1060);
}

void tst_OutgoingQueue::millionProgressReportsKeepQueueBounded()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request requests[] = {{'a'}, {'b'}, {'c'}, {'d'}};
    constexpr int reports = 1000000;

    qint64 largestWait = 0;
    for (int i = 1; i <= reports; ++i) {
        const Request &request = requests[i % 4];
        queue.pushProgress(&request, progress(request, i));
        largestWait = std::max(largestWait, queue.waitingBytes());
    }
    // Never more than one message per request waits.
    QVERIFY2(largestWait <= 4 * progress(requests[0], reports).size(),
             QByteArray::number(largestWait).constData());
    QVERIFY(transport.written.isEmpty());

    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written.size(), 4);
    // requests[k] last reported the largest i with i % 4 == k.
    const int newest[] = {reports, reports - 3, reports - 2, reports - 1};
    for (int k = 0; k < 4; ++k) {
        QCOMPARE(messagesOf(transport.written, requests[k]),
                 QList<QByteArray>{progress(requests[k], newest[k])});
    }
}

void tst_OutgoingQueue::eventsPassStraightThroughBelowHighWater()
{
    FakeTransport transport;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    queue.pushEvent(QStringLiteral("notice"), "n1");
    queue.pushEvent(QStringLiteral("notice"), "n2");
    QCOMPARE(transport.written, (QList<QByteArray>{"n1", "n2"}));
}

void tst_OutgoingQueue::waitingEventGivesWayToTheNewestOfItsKind()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const QString notice = QStringLiteral("notice");
    const QString stats = QStringLiteral("stats");
    const QString keyed = QStringLiteral("notice\nk");
    queue.pushEvent(notice, "notice 1");
    queue.pushEvent(stats, "stats 2");
    queue.pushEvent(keyed, "notice k 3");
    queue.pushEvent(notice, "notice 4");
    for (int seq = 5; seq <= 1000; ++seq)
        queue.pushEvent(stats, "stats " + QByteArray::number(seq));
    QCOMPARE(queue.waitingBytes(), qint64(QByteArray("notice k 3notice 4stats 1000").size()));

    transport.backlog = 0;
    queue.flush();
    // The newest of each kind, each at the place of its newest: what leaves keeps rising.
    QCOMPARE(transport.written, (QList<QByteArray>{"notice k 3", "notice 4", "stats 1000"}));
    QCOMPARE(queue.waitingBytes(), 0);
    // Once written, an event is no longer waiting: the next one of its kind queues anew.
    transport.backlog = highWater;
    queue.pushEvent(notice, "notice 1001");
    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written.last(), QByteArray("notice 1001"));
}

void tst_OutgoingQueue::eventsNeverOvertakeOrDropOtherMessages()
{
    FakeTransport transport;
    transport.backlog = highWater;
    OutgoingQueue queue(transport.writer(), transport.backlogSource(), highWater);
    const Request a{'a'};
    const QString notice = QStringLiteral("notice");
    queue.pushEvent(notice, "notice 1");
    queue.pushProgress(&a, progress(a, 1));
    queue.push(result(a), &a);
    queue.pushEvent(notice, "notice 2");
    queue.push("pong");
    transport.backlog = 0;
    queue.flush();
    QCOMPARE(transport.written, (QList<QByteArray>{progress(a, 1), result(a), "notice 2", "pong"}));
}

QTEST_APPLESS_MAIN(tst_OutgoingQueue)
#include "tst_outgoingqueue.moc"
