// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// ClientFrameGuard without sockets: what it rewrites, where it stops, and that how the bytes are
// cut into reads changes nothing.

#include "clientframeguard_p.h"
#include "rawwebsocket.h"

#include <QtCore/QByteArray>
#include <QtTest/QTest>

using namespace CommandBridge;

namespace {

using Opcode = CommandBridgeTest::RawWebSocket::Opcode;
constexpr Opcode Continuation = Opcode::Continuation, Text = Opcode::Text, Binary = Opcode::Binary,
                 Close = Opcode::Close, Ping = Opcode::Ping, Pong = Opcode::Pong;

/// One client frame, masked with a fixed key unless \a masked is false.
QByteArray frame(quint8 opcode, const QByteArray &payload, bool final = true, bool masked = true)
{
    static const char key[4] = {0x12, 0x34, 0x56, 0x78};
    return CommandBridgeTest::RawWebSocket::clientFrame(opcode, payload, final,
                                                        masked ? key : nullptr);
}

/// \a stream through a fresh guard in reads of \a chunk bytes: what is handed on.
QByteArray passInChunks(QByteArray stream, qsizetype chunk, ClientFrameGuard &guard)
{
    QByteArray passed;
    for (qsizetype at = 0; at < stream.size(); at += chunk) {
        const qsizetype size = std::min(chunk, stream.size() - at);
        passed += stream.mid(at, guard.pass(stream.data() + at, size));
    }
    return passed;
}

} // namespace

class tst_ClientFrameGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void maskedFramesPassUnchanged_data();
    void maskedFramesPassUnchanged();
    void fragmentedTextIsHandedOnAsBinary();
    void onlyTheOpcodeBitsChange();
    void fragmentedBinaryIsLeftAlone();
    void unmaskedFrameStopsAtItsHeader_data();
    void unmaskedFrameStopsAtItsHeader();
    void howReadsAreCutChangesNothing_data();
    void howReadsAreCutChangesNothing();
};

void tst_ClientFrameGuard::maskedFramesPassUnchanged_data()
{
    QTest::addColumn<QByteArray>("stream");

    QTest::newRow("text") << frame(Text, "{\"type\":\"ping\"}");
    QTest::newRow("empty text") << frame(Text, QByteArray());
    QTest::newRow("binary, 16-bit length") << frame(Binary, QByteArray(300, 'b'));
    QTest::newRow("text, 64-bit length") << frame(Text, QByteArray(70000, 't'));
    QTest::newRow("ping, pong, close")
        << frame(Ping, "p") + frame(Pong, QByteArray()) + frame(Close, "\x03\xe8");
    QTest::newRow("several messages") << frame(Text, "a") + frame(Binary, "b") + frame(Text, "c");
}

void tst_ClientFrameGuard::maskedFramesPassUnchanged()
{
    QFETCH(QByteArray, stream);
    const QByteArray original = stream;
    ClientFrameGuard guard;
    QCOMPARE(guard.pass(stream.data(), stream.size()), stream.size());
    QCOMPARE(stream, original);
    QVERIFY(!guard.hasFailed());
    QVERIFY(!guard.isFragmentedText());
}

void tst_ClientFrameGuard::fragmentedTextIsHandedOnAsBinary()
{
    const QByteArray first = frame(Text, "caf\xc3", false);
    const QByteArray ping = frame(Ping, "between");
    const QByteArray middle = frame(Continuation, "\xa9 \xe2", false);
    const QByteArray last = frame(Continuation, "\x82\xac");
    const QByteArray original = first + ping + middle + last;
    QByteArray stream = original;
    ClientFrameGuard guard;

    QCOMPARE(guard.pass(stream.data(), first.size()), first.size());
    QVERIFY(guard.isFragmentedText());
    QCOMPARE(quint8(stream.at(0)), quint8(Binary));
    const qsizetype rest = stream.size() - first.size();
    QCOMPARE(guard.pass(stream.data() + first.size(), rest), rest);
    QCOMPARE(stream.mid(1), original.mid(1));
    // Still the message's verdict once it ended: its receiver asks then.
    QVERIFY(guard.isFragmentedText());

    // The next data message decides anew.
    QByteArray single = frame(Text, "x");
    QCOMPARE(guard.pass(single.data(), single.size()), single.size());
    QVERIFY(!guard.isFragmentedText());
    QCOMPARE(single, frame(Text, "x"));
}

void tst_ClientFrameGuard::onlyTheOpcodeBitsChange()
{
    // RSV1 set: QWebSocket refuses it as before, with the opcode it is now given.
    QByteArray stream = frame(Text, "a", false);
    stream[0] = char(0x40 | Text);
    ClientFrameGuard guard;
    QCOMPARE(guard.pass(stream.data(), stream.size()), stream.size());
    QCOMPARE(quint8(stream.at(0)), quint8(0x40 | Binary));
}

void tst_ClientFrameGuard::fragmentedBinaryIsLeftAlone()
{
    QByteArray stream = frame(Binary, "ab", false) + frame(Continuation, "cd");
    const QByteArray original = stream;
    ClientFrameGuard guard;
    QCOMPARE(guard.pass(stream.data(), stream.size()), stream.size());
    QCOMPARE(stream, original);
    QVERIFY(!guard.isFragmentedText());
}

void tst_ClientFrameGuard::unmaskedFrameStopsAtItsHeader_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("unmasked");

    QTest::newRow("first frame") << QByteArray() << frame(Text, "a", true, false);
    QTest::newRow("after a frame") << frame(Text, "a") << frame(Binary, "b", true, false);
    QTest::newRow("ping") << frame(Text, "a") << frame(Ping, "p", true, false);
    QTest::newRow("continuation") << frame(Text, "a", false)
                                  << frame(Continuation, "b", true, false);
    QTest::newRow("after a 64-bit length")
        << frame(Binary, QByteArray(70000, 'x')) << frame(Close, "\x03\xe8", true, false);
}

void tst_ClientFrameGuard::unmaskedFrameStopsAtItsHeader()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, unmasked);
    QByteArray stream = before + unmasked + frame(Text, "after");
    ClientFrameGuard guard;
    QCOMPARE(guard.pass(stream.data(), stream.size()), before.size());
    QVERIFY(guard.hasFailed());
    QByteArray more = frame(Text, "more");
    QCOMPARE(guard.pass(more.data(), more.size()), 0);

    // Cut into reads, the same bytes pass; the header's first byte may already have gone.
    for (const qsizetype chunk : {1, 2, 3, 7}) {
        ClientFrameGuard chunked;
        const QByteArray passed = passInChunks(before + unmasked, chunk, chunked);
        QVERIFY(chunked.hasFailed());
        QVERIFY2(passed.size() == before.size() || passed.size() == before.size() + 1,
                 qPrintable(QString::number(passed.size())));
    }
}

void tst_ClientFrameGuard::howReadsAreCutChangesNothing_data()
{
    QTest::addColumn<qsizetype>("chunk");
    for (const qsizetype chunk : {1, 2, 3, 5, 8, 13, 127, 4096})
        QTest::addRow("%lld bytes", qlonglong(chunk)) << chunk;
}

void tst_ClientFrameGuard::howReadsAreCutChangesNothing()
{
    QFETCH(qsizetype, chunk);
    const QByteArray stream = frame(Text, "one") + frame(Text, QByteArray(200, 'a'), false) +
                              frame(Ping, "p") + frame(Continuation, QByteArray(70000, 'b')) +
                              frame(Binary, "c", false) + frame(Continuation, QByteArray()) +
                              frame(Text, "\xe2\x82", false) + frame(Continuation, "\xac") +
                              frame(Close, "\x03\xe8");
    ClientFrameGuard whole;
    QByteArray expected = stream;
    QCOMPARE(whole.pass(expected.data(), expected.size()), expected.size());

    ClientFrameGuard chunked;
    QCOMPARE(passInChunks(stream, chunk, chunked), expected);
    QCOMPARE(chunked.isFragmentedText(), whole.isFragmentedText());
    QVERIFY(!chunked.hasFailed());
}

QTEST_APPLESS_MAIN(tst_ClientFrameGuard)
#include "tst_clientframeguard.moc"
