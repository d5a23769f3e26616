// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// HttpRequestFramer without sockets: where requests begin and end in a byte stream, whatever
// pieces it arrives in, and what ends the framing. tst_framingagreement compares its framing with
// QHttpServer's.

#include "httprequestframer_p.h"

#include <QtTest/QTest>

using namespace CommandBridge;

namespace {

const QByteArray health = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
const QByteArray echo = "POST /api/v1/commands/echo HTTP/1.1\r\nHost: localhost\r\n"
                        "Content-Length: 8\r\n\r\n{\"a\":1}\n";

std::optional<Refusal> admitAllButForbidden(const HttpRequestHead &head)
{
    if (head.path() == QLatin1String("/forbidden"))
        return Refusal(Refusal::Rule::Host, 403, QStringLiteral("forbidden"),
                       QStringLiteral("Not here"));
    return std::nullopt;
}

/// What a framer made of what it was given.
struct Framed
{
    /// Each request's bytes, whole.
    QList<QByteArray> requests;
    /// Whether each piece ended its request, in order.
    QList<bool> pieceEnds;
    int refusalStatus = 0;
    bool insideRequest = false;
};

Framed frame(const QList<QByteArray> &pieces)
{
    HttpRequestFramer framer(admitAllButForbidden);
    Framed framed;
    for (const QByteArray &piece : pieces) {
        framer.frame(piece, [&framed](HttpRequestFramer::Piece &&taken) {
            if (taken.head)
                framed.requests.append(taken.bytes);
            else
                framed.requests.last() += taken.bytes;
            framed.pieceEnds.append(taken.endsRequest);
        });
    }
    framed.refusalStatus = framer.refusal() ? framer.refusal()->status : 0;
    framed.insideRequest = framer.isInsideRequest();
    return framed;
}

} // namespace

class tst_HttpRequestFramer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bodyPiecesFollowTheirHead();
    void pipelinedRequestsInOneReadAreSeparate();
    void everySplitFramesAlike();
    void whatEndsTheFraming_data();
    void whatEndsTheFraming();
};

void tst_HttpRequestFramer::bodyPiecesFollowTheirHead()
{
    const qsizetype headLength = echo.indexOf("\r\n\r\n") + 4;
    const Framed framed = frame({echo.left(headLength - 2), echo.mid(headLength - 2, 5),
                                 echo.mid(headLength + 3, 2), echo.mid(headLength + 5)});
    QCOMPARE(framed.requests, QList<QByteArray>{echo});
    // The head once complete, with the body bytes that came with it, then the body as it came.
    QCOMPARE(framed.pieceEnds, (QList<bool>{false, false, true}));
    QVERIFY(!framed.insideRequest);
    QCOMPARE(frame({echo.left(headLength + 1)}).insideRequest, true);
    QCOMPARE(frame({echo.left(headLength - 1)}).insideRequest, true);
}

void tst_HttpRequestFramer::pipelinedRequestsInOneReadAreSeparate()
{
    const Framed framed = frame({health + echo + health});
    QCOMPARE(framed.requests, (QList<QByteArray>{health, echo, health}));
    QCOMPARE(framed.pieceEnds, (QList<bool>{true, true, true}));
}

void tst_HttpRequestFramer::everySplitFramesAlike()
{
    const QByteArray stream = echo + health + echo;
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        const Framed framed = frame({stream.left(cut), stream.mid(cut)});
        QCOMPARE(framed.requests, (QList<QByteArray>{echo, health, echo}));
    }
}

void tst_HttpRequestFramer::whatEndsTheFraming_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("status");
    // Requests framed before the end, or in all (the stream, then one more health request).
    QTest::addColumn<int>("requests");

    QTest::newRow("a refused head")
        << health + "GET /forbidden HTTP/1.1\r\n\r\n" + health << 403 << 1;
    QTest::newRow("a malformed head")
        << health + "GET / HTTP/1.1\nA: b\r\n\r\n" + health << 400 << 1;
    QTest::newRow("a head over 16 KiB")
        << "GET / HTTP/1.1\r\nA: " + QByteArray(17 * 1024, 'a') + "\r\n\r\n"
        << 431 << 0;
    // Refused although admission let them through: only another parser would know the end.
    QTest::newRow("Transfer-Encoding")
        << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + health << 400 << 0;
    QTest::newRow("an invalid Content-Length")
        << "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n{}" + health << 400 << 0;
    QTest::newRow("a body that looks like a refused head")
        << echo.left(echo.indexOf("\r\n\r\n") + 4).replace("8", "27") +
               "GET /forbidden HTTP/1.1\r\n\r\n" + health
        << 0 << 3;
}

void tst_HttpRequestFramer::whatEndsTheFraming()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, status);
    QFETCH(int, requests);
    const Framed framed = frame({stream, health});
    QCOMPARE(framed.refusalStatus, status);
    QCOMPARE(framed.requests.size(), requests);
}

QTEST_GUILESS_MAIN(tst_HttpRequestFramer)
#include "tst_httprequestframer.moc"
