// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The gate's framing (HttpRequestFramer, which AdmittedHttpSocket runs) and QHttpServer's, side by
// side on the same bytes: a corpus of request streams, smuggling shapes included, and thousands of
// seeded mutations of it. Whatever the gate admits, a bare QHttpServer on a real connection must
// read as the same requests (method, path, body) in the same order; where the two would part, the
// gate must have refused. The gate may refuse more than QHttpServer does. (QHttpServer 6.4.2 and
// 6.8 read requests with the same hand-written parser; both run this test.)
//
// COMMANDBRIDGE_FRAMING_SEED and COMMANDBRIDGE_FRAMING_STREAMS pick another run. A failure prints
// each stream escaped, ready for a regression row in tst_admittedhttpsocket or fuzz/regressions.

#include "httprequestframer_p.h"
#include "httpserveradapter_p.h"

#include <QtCore/QEventLoop>
#include <QtCore/QMetaEnum>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <algorithm>
#include <functional>
#include <memory>

using namespace CommandBridge;

namespace {

/// One request as a parser read it.
struct SeenRequest
{
    QByteArray method;
    QString path;
    QByteArray body;

    bool operator==(const SeenRequest &other) const
    {
        return method == other.method && path == other.path && body == other.body;
    }
};

/// The stream as C string literal text: what a regression row needs.
QByteArray escaped(const QByteArray &bytes)
{
    QByteArray text;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r')
            text += "\\r";
        else if (c == '\n')
            text += "\\n";
        else if (c == '\t')
            text += "\\t";
        else if (c == '\\' || c == '"')
            text += QByteArray("\\") + c;
        else if (u < 0x20 || u >= 0x7f)
            text += "\\x" + QByteArray::number(u, 16).rightJustified(2, '0') + "\"\"";
        else
            text += c;
    }
    return '"' + text + '"';
}

QByteArray describe(const QList<SeenRequest> &requests)
{
    QByteArray text;
    for (const SeenRequest &request : requests) {
        text += "\n      " + request.method + ' ' + escaped(request.path.toUtf8()) + " body " +
                escaped(request.body.left(80)) + (request.body.size() > 80 ? "..." : "");
    }
    return text.isEmpty() ? QByteArray(" none") : text;
}

/// \a method as QHttpServer can tell it: the methods both versions name, any other as UNKNOWN.
QByteArray comparableMethod(const QByteArray &method)
{
    static const QList<QByteArray> named{"GET",  "PUT",     "DELETE", "POST",
                                         "HEAD", "OPTIONS", "PATCH",  "CONNECT"};
    return named.contains(method) ? method : QByteArray("UNKNOWN");
}

/// What the gate makes of a stream: the requests it hands QHttpServer and what ends the stream.
struct GateView
{
    enum class End {
        /// Every byte belongs to a whole request; the connection stays open for more.
        Open,
        /// A request's body is still to come.
        InsideBody,
        /// A head is still incomplete; none of it reaches QHttpServer.
        InsideHead,
        /// A head was refused: the connection ends after the answers before it.
        Refused,
        /// A request asked to close the connection; nothing after it is passed on.
        Closed,
    };

    QList<SeenRequest> requests;
    End end = End::Open;
    /// Body bytes the last request still expects (End::InsideBody).
    qint64 bodyMissing = 0;
    int refusalStatus = 0;

    bool operator==(const GateView &other) const
    {
        return requests == other.requests && end == other.end && bodyMissing == other.bodyMissing &&
               refusalStatus == other.refusalStatus;
    }

    QByteArray summary() const
    {
        static const char *const ends[] = {"open", "inside a body", "inside a head", "refused",
                                           "closed"};
        QByteArray text = QByteArray("gate: ") + ends[int(end)];
        if (end == End::Refused)
            text += " with " + QByteArray::number(refusalStatus);
        if (end == End::InsideBody)
            text += ", " + QByteArray::number(bodyMissing) + " body bytes missing";
        return text + ", requests passed on:" + describe(requests);
    }
};

/// Frames \a stream as the gate does, handed over in pieces that end at \a cuts.
GateView frameByGate(const QByteArray &stream, const QList<qsizetype> &cuts,
                     const RequestAdmission &admission)
{
    GateView view;
    HttpRequestFramer framer(
        [&admission](const HttpRequestHead &head) { return admission.admit(head); });
    bool wantsClose = false;
    bool closed = false;
    qint64 declared = 0;
    bool lastComplete = true;
    const auto take = [&](HttpRequestFramer::Piece &&piece) {
        if (closed)
            return; // AdmittedHttpSocket closes after answering such a request, and drops the rest
        if (piece.head) {
            view.requests.append({comparableMethod(piece.head->method), piece.head->path(),
                                  piece.bytes.mid(piece.head->length)});
            declared = piece.head->contentLength().value_or(0);
            wantsClose = piece.head->wantsClose();
        } else {
            view.requests.last().body += piece.bytes;
        }
        lastComplete = piece.endsRequest;
        closed = lastComplete && wantsClose;
    };
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        framer.frame(stream.mid(from, cut - from), take);
        from = cut;
    }
    framer.frame(stream.mid(from), take);

    if (closed) {
        view.end = GateView::End::Closed;
    } else if (framer.refusal()) {
        view.end = GateView::End::Refused;
        view.refusalStatus = framer.refusal()->status;
    } else if (!lastComplete) {
        view.end = GateView::End::InsideBody;
        view.bodyMissing = declared - view.requests.last().body.size();
    } else if (framer.isInsideRequest()) {
        view.end = GateView::End::InsideHead;
    }
    return view;
}

/// Hands out each connection as a plain socket and counts those alive, so that a test can wait
/// until QHttpServer is done with a connection.
class TrackingServer : public QTcpServer
{
public:
    int accepted = 0;
    int open = 0;
    /// Called when a connection arrives or ends.
    std::function<void()> changed;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        ++accepted;
        ++open;
        // QHttpServer deletes it once closed; until then it may still read what it buffered.
        connect(socket, &QObject::destroyed, this, [this] {
            --open;
            changed();
        });
        addPendingConnection(socket);
        changed();
    }
};

const QByteArray host = "Host: localhost\r\n";
const QByteArray sentinel = "GET /__end HTTP/1.1\r\nHost: localhost\r\n\r\n";
const QString sentinelPath = QStringLiteral("/__end");

QByteArray get(const QByteArray &target, const QByteArray &fields = QByteArray())
{
    return "GET " + target + " HTTP/1.1\r\n" + host + fields + "\r\n";
}

QByteArray post(const QByteArray &target, const QByteArray &body,
                const QByteArray &fields = QByteArray())
{
    return "POST " + target + " HTTP/1.1\r\n" + host +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n" + fields + "\r\n" + body;
}

/// Valid requests, pipelined ones, and every shape two parsers could frame differently.
QList<QPair<QByteArray, QByteArray>> corpus()
{
    const QByteArray hidden = "POST /api/v1/commands/quick HTTP/1.1\r\nHost: evil.example\r\n"
                              "Content-Length: 2\r\n\r\n{}";
    const QByteArray length = "Content-Length: " + QByteArray::number(hidden.size()) + "\r\n";
    const QByteArray chunked =
        QByteArray::number(hidden.size(), 16) + "\r\n" + hidden + "\r\n0\r\n\r\n";
    const QByteArray echo = post("/api/v1/commands/echo", R"({"a":1})");
    const QByteArray health = get("/api/v1/health");
    const QByteArray fields100 = QByteArray("X-F: v\r\n").repeated(99);
    const QByteArray headStart = "POST /api/v1/health HTTP/1.1\r\n" + host;
    return {
        {"get", get("/")},
        {"health", health},
        {"post with a body", echo},
        {"post with an empty body", post("/api/v1/commands/echo", QByteArray())},
        {"post with a body that is a request", post("/api/v1/commands/echo", hidden)},
        {"pipelined pair", health + echo},
        {"pipelined three", echo + health + echo},
        {"query and percent-encoding", get("/api/v1/commands/ec%68o?x=1&y=%20")},
        {"dot segments", get("/api/v1/health/../commands/echo")},
        {"double slash", get("//api/v1/health")},
        {"fragment", get("/api/v1/health#frag")},
        {"obs-text in the target", get("/caf\xc3\xa9")},
        {"absolute form", "GET http://localhost/api/v1/health HTTP/1.1\r\n" + host + "\r\n"},
        {"asterisk form", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n"},
        {"100 fields", headStart + fields100 + "Content-Length: 2\r\n\r\n{}"},
        {"101 fields", headStart + fields100 + "X-F: v\r\n" + length + "\r\n" + hidden},
        {"empty Transfer-Encoding, then chunked",
         headStart + "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked},
        {"obs-folded Transfer-Encoding",
         headStart + "Transfer-Encoding:\r\n chunked\r\n\r\n" + chunked},
        {"chunked body", headStart + "Transfer-Encoding: chunked\r\n\r\n" + chunked},
        {"chunked and a length",
         headStart + "Transfer-Encoding: chunked\r\n" + length + "\r\n" + chunked},
        {"two equal Content-Lengths", headStart + length + length + "\r\n" + hidden},
        {"two Content-Lengths", headStart + "Content-Length: 0\r\n" + length + "\r\n" + hidden},
        {"Content-Length list", headStart + "Content-Length: 2, 2\r\n\r\n{}"},
        {"Content-Length with a sign", headStart + "Content-Length: +2\r\n\r\n{}"},
        {"Content-Length in hex", headStart + "Content-Length: 0x2\r\n\r\n{}"},
        {"Content-Length negative", headStart + "Content-Length: -1\r\n\r\n{}"},
        {"Content-Length with leading zeros", headStart + "Content-Length: 002\r\n\r\n{}"},
        {"Content-Length huge", headStart + "Content-Length: 99999999999999999999\r\n\r\n{}"},
        {"Content-Length over the limit", headStart + "Content-Length: 2000000\r\n\r\n{}"},
        {"Content-Length upper case", headStart + "CONTENT-LENGTH: 2\r\n\r\n{}"},
        {"space before the colon", headStart + "Content-Length : 0\r\n" + length + "\r\n" + hidden},
        {"space inside the name", headStart + "Content Length: 2\r\n\r\n{}"},
        {"space before the name", headStart + " Content-Length: 2\r\n\r\n{}"},
        {"tab before the name", headStart + "\tContent-Length: 2\r\n\r\n{}"},
        {"field without a colon", headStart + "Content-Length 2\r\n\r\n{}"},
        {"empty field name", headStart + ": 2\r\n\r\n{}"},
        {"LF-only line ends", "GET / HTTP/1.1\nHost: localhost\n\n"},
        {"LF-only after the head", "GET / HTTP/1.1\r\nHost: localhost\n\r\n"},
        {"bare CR in a field", headStart + "X-A: a\rContent-Length: 2\r\n\r\n{}"},
        {"NUL in a field value", headStart + QByteArray("X-A: a\0b\r\n\r\n", 13)},
        {"NUL in the target", QByteArray("GET /a\0b HTTP/1.1\r\n", 19) + host + "\r\n"},
        {"huge field value", get("/", "X-Big: " + QByteArray(8000, 'v') + "\r\n")},
        {"head over 16 KiB", get("/", "X-Big: " + QByteArray(17000, 'v') + "\r\n")},
        {"two spaces in the request line", "GET  / HTTP/1.1\r\n" + host + "\r\n"},
        {"trailing space in the request line", "GET / HTTP/1.1 \r\n" + host + "\r\n"},
        {"no version", "GET /\r\n" + host + "\r\n"},
        {"HTTP/1.2", "GET / HTTP/1.2\r\n" + host + "\r\n"},
        {"HTTP/2.0", "GET / HTTP/2.0\r\n" + host + "\r\n"},
        {"lower-case method", "get / HTTP/1.1\r\n" + host + "\r\n"},
        {"unknown method", "BREW /pot HTTP/1.1\r\n" + host + "\r\n"},
        {"TRACE", "TRACE / HTTP/1.1\r\n" + host + "\r\n"},
        {"CONNECT", "CONNECT /x HTTP/1.1\r\n" + host + "\r\n"},
        {"leading CRLF", "\r\n" + health},
        {"CRLF between requests", health + "\r\n" + health},
        {"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n" + health},
        {"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + health},
        {"Connection: close", get("/", "Connection: close\r\n") + health},
        {"Expect: 100-continue",
         post("/api/v1/commands/echo", "{}", "Expect: 100-continue\r\n") + health},
        {"WebSocket upgrade",
         get("/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") +
             health},
        {"other upgrade", get("/", "Upgrade: h2c\r\nConnection: Upgrade\r\n") + health},
        {"Connection: upgrade alone", get("/", "Connection: upgrade\r\n") + health},
        {"no Host", "GET / HTTP/1.1\r\n\r\n" + health},
        {"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n" + health},
        {"two Hosts", get("/", "Host: evil.example\r\n")},
        {"body shorter than its length", headStart + "Content-Length: 10\r\n\r\n{}"},
    };
}

/// Words that move a parser from one state to another.
const QList<QByteArray> &dictionary()
{
    static const QList<QByteArray> words{
        "\r\n",
        "\n",
        "\r",
        QByteArray(1, '\0'),
        " ",
        "\t",
        ":",
        ",",
        "\r\n\r\n",
        "\r\n ",
        "\r\n\t",
        "Content-Length: 0\r\n",
        "Content-Length: 5\r\n",
        "Content-Length: 12345\r\n",
        "Content-Length:",
        "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: identity\r\n",
        "Transfer-Encoding:\r\n",
        "Connection: close\r\n",
        "Connection: keep-alive\r\n",
        "Connection: Upgrade\r\n",
        "Upgrade: websocket\r\n",
        "Expect: 100-continue\r\n",
        "Host: localhost\r\n",
        "0\r\n\r\n",
        "5\r\nhello\r\n",
        "GET / HTTP/1.1\r\n",
        "POST /api/v1/commands/echo HTTP/1.1\r\n",
        "HTTP/1.0",
        "HTTP/1.1",
        "%2F",
        "?",
        "#",
        "/../",
    };
    return words;
}

/// Where a new line starts in \a bytes, or anywhere when it has none.
qsizetype somePlace(const QByteArray &bytes, QRandomGenerator &random, bool lineStart)
{
    if (bytes.isEmpty())
        return 0;
    if (lineStart) {
        QList<qsizetype> starts;
        for (qsizetype at = bytes.indexOf('\n'); at >= 0; at = bytes.indexOf('\n', at + 1))
            starts.append(at + 1);
        if (!starts.isEmpty())
            return starts.at(random.bounded(int(starts.size())));
    }
    return random.bounded(int(bytes.size() + 1));
}

QByteArray mutated(QByteArray bytes, const QList<QPair<QByteArray, QByteArray>> &seeds,
                   QRandomGenerator &random)
{
    static const char interesting[] = "\r\n \t\0:,09azAZ\x7f\x80\xff\v\f-+";
    static const QByteArray interestingBytes(interesting, sizeof interesting - 1);
    const int mutations = random.bounded(1, 4);
    for (int i = 0; i < mutations; ++i) {
        switch (random.bounded(8)) {
        case 0:
        case 1: {
            const QByteArray &word = dictionary().at(random.bounded(int(dictionary().size())));
            bytes.insert(somePlace(bytes, random, random.bounded(2) == 0), word);
            break;
        }
        case 2: {
            const qsizetype at = somePlace(bytes, random, false);
            bytes.remove(at, random.bounded(1, 6));
            break;
        }
        case 3:
            if (!bytes.isEmpty()) {
                const qsizetype at = random.bounded(int(bytes.size()));
                bytes[at] = interestingBytes.at(random.bounded(int(interestingBytes.size())));
            }
            break;
        case 4: {
            // A header line twice.
            const qsizetype start = somePlace(bytes, random, true);
            const qsizetype end = bytes.indexOf('\n', start);
            if (end > start)
                bytes.insert(start, bytes.mid(start, end + 1 - start));
            break;
        }
        case 5: {
            // Another number where a number was.
            qsizetype at =
                bytes.indexOf(QByteArrayView("Content-Length:"),
                              random.bounded(2) == 0 ? 0 : somePlace(bytes, random, false));
            if (at < 0)
                break;
            at += 15;
            qsizetype end = at;
            while (end < bytes.size() && bytes.at(end) != '\r' && bytes.at(end) != '\n')
                ++end;
            static const QList<QByteArray> numbers{
                "0", "1", "2", "7", "10", "65", " 3 ", "-0", "1048577", "9223372036854775808"};
            bytes.replace(at, end - at, numbers.at(random.bounded(int(numbers.size()))));
            break;
        }
        case 6:
            bytes.truncate(somePlace(bytes, random, random.bounded(2) == 0));
            break;
        case 7:
            bytes += seeds.at(random.bounded(int(seeds.size()))).second;
            break;
        }
    }
    return bytes;
}

/// Up to three places where the stream is split between two reads.
QList<qsizetype> someCuts(const QByteArray &stream, QRandomGenerator &random)
{
    QList<qsizetype> cuts;
    for (int i = random.bounded(4); i > 0 && !stream.isEmpty(); --i)
        cuts.append(random.bounded(int(stream.size())));
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

constexpr int defaultStreams = 3000;
/// Only a disagreement waits this long: agreement ends each wait on a request or a close.
constexpr int disagreementTimeoutMs = 3000;
constexpr qsizetype maxReportedFailures = 10;

} // namespace

class tst_FramingAgreement : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void everyCorpusStreamFramesAlike_data();
    void everyCorpusStreamFramesAlike();
    void fuzzedStreamsFrameAlike();

private:
    /// Compares the gate and QHttpServer on \a stream; returns what went wrong, or nothing.
    QByteArray check(QByteArray stream, const QList<qsizetype> &cuts);
    /// What a bare QHttpServer reads from \a bytes on a new connection: until it saw \a expected
    /// requests (the sentinel included when \a withSentinel), closed the connection, or time ran
    /// out.
    QList<SeenRequest> readByQHttpServer(const QByteArray &bytes, qsizetype expected,
                                         bool withSentinel, bool *closed);
    /// Runs the event loop until \a done or the timeout, woken by every request and close.
    bool waitFor(const std::function<bool()> &done, int timeoutMs);
    void wake();

    RequestAdmission m_admission;
    std::unique_ptr<QHttpServer> m_http;
    /// Owned by m_http once bound.
    QPointer<TrackingServer> m_tcpServer;
    QObject m_handlerContext;
    /// Where requests are recorded; null between streams.
    QList<SeenRequest> *m_seen = nullptr;
    QList<SeenRequest> m_stray;
    QEventLoop *m_waiting = nullptr;
    int m_agreedOpen = 0;
    int m_agreedEnded = 0;
    int m_refusedBeforeAnything = 0;
};

void tst_FramingAgreement::initTestCase()
{
    // The production admission, with no policy in the way: only framing refuses here.
    RequestAdmission::Policy policy;
    policy.loopbackOnly = false;
    m_admission.setPolicy(policy);

    m_http = std::make_unique<QHttpServer>();
    m_tcpServer = new TrackingServer;
    m_tcpServer->setParent(m_http.get());
    m_tcpServer->changed = [this] {
        wake();
    };
    QVERIFY(m_tcpServer->listen(QHostAddress::LocalHost, 0));
    HttpServerAdapter::setMissingHandler(
        *m_http, &m_handlerContext,
        [this](const QHttpServerRequest &request, QHttpServerResponder &responder) {
            const char *key =
                QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method()));
            SeenRequest seen{comparableMethod(QByteArray(key ? key : "?").toUpper()),
                             request.url().path(), request.body()};
            (m_seen ? *m_seen : m_stray).append(seen);
            responder.write(QByteArray(), QByteArray("text/plain"),
                            QHttpServerResponder::StatusCode::Ok);
            wake();
        });
    QVERIFY(HttpServerAdapter::bind(*m_http, m_tcpServer));
}

void tst_FramingAgreement::cleanupTestCase()
{
    qInfo("agreed: %d streams that stay open, %d that the gate ends after whole requests, %d "
          "refused or incomplete before any request",
          m_agreedOpen, m_agreedEnded, m_refusedBeforeAnything);
    m_http.reset();
}

void tst_FramingAgreement::wake()
{
    if (m_waiting)
        m_waiting->quit();
}

bool tst_FramingAgreement::waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(timeoutMs);
    m_waiting = &loop;
    while (!done() && deadline.isActive())
        loop.exec();
    m_waiting = nullptr;
    return done();
}

QList<SeenRequest> tst_FramingAgreement::readByQHttpServer(const QByteArray &bytes,
                                                           qsizetype expected, bool withSentinel,
                                                           bool *closed)
{
    QList<SeenRequest> seen;
    m_seen = &seen;
    const int accepted = m_tcpServer->accepted;
    QTcpSocket client;
    connect(&client, &QTcpSocket::disconnected, this, &tst_FramingAgreement::wake);
    client.connectToHost(QHostAddress::LocalHost, m_tcpServer->serverPort());
    client.write(withSentinel ? bytes + sentinel : bytes);
    const auto ended = [&client] {
        return client.state() == QAbstractSocket::UnconnectedState;
    };
    waitFor([&] { return seen.size() >= expected || ended(); }, disagreementTimeoutMs);
    *closed = ended();
    // QHttpServer reads the rest and sees the end: nothing of this stream is read after this.
    client.disconnectFromHost();
    const TrackingServer &server = *m_tcpServer;
    waitFor([&server, accepted] { return server.accepted > accepted && server.open == 0; },
            disagreementTimeoutMs);
    client.abort();
    m_seen = nullptr;
    return seen;
}

QByteArray tst_FramingAgreement::check(QByteArray stream, const QList<qsizetype> &cuts)
{
    GateView gate = frameByGate(stream, cuts, m_admission);
    const GateView whole = frameByGate(stream, {}, m_admission);
    if (!(gate == whole)) {
        return "the gate frames the stream differently when it arrives in pieces\n  stream: " +
               escaped(stream) + "\n  in one piece, " + whole.summary() + "\n  in pieces, " +
               gate.summary();
    }
    // A body still to come is sent, so that QHttpServer has nothing to wait for either.
    if (gate.end == GateView::End::InsideBody) {
        stream += QByteArray(gate.bodyMissing, 'b');
        gate = frameByGate(stream, cuts, m_admission);
    }

    // An open stream ends with the sentinel, which QHttpServer must read as its own request. Any
    // other is compared up to its last request passed on: what follows never reaches QHttpServer.
    const bool open = gate.end == GateView::End::Open;
    QList<SeenRequest> expected = gate.requests;
    if (open)
        expected.append({"GET", sentinelPath, QByteArray()});
    if (expected.isEmpty()) {
        ++m_refusedBeforeAnything;
        return QByteArray();
    }
    bool closed = false;
    const QList<SeenRequest> seen = readByQHttpServer(stream, expected.size(), open, &closed);
    const bool agreed = open ? seen == expected : seen.mid(0, expected.size()) == expected;
    if (agreed) {
        ++(open ? m_agreedOpen : m_agreedEnded);
        return QByteArray();
    }
    return "the gate and QHttpServer frame the stream differently\n  stream: " + escaped(stream) +
           (open ? " followed by a GET /__end" : "") + "\n  " + gate.summary() + "\n  QHttpServer" +
           (closed ? " (then closed the connection)" : "") + " read:" + describe(seen);
}

void tst_FramingAgreement::everyCorpusStreamFramesAlike_data()
{
    QTest::addColumn<QByteArray>("stream");
    for (const auto &[name, stream] : corpus())
        QTest::newRow(name.constData()) << stream;
}

void tst_FramingAgreement::everyCorpusStreamFramesAlike()
{
    QFETCH(QByteArray, stream);
    QRandomGenerator random(1);
    const QByteArray failure = check(stream, someCuts(stream, random));
    QVERIFY2(failure.isEmpty(), failure.constData());
    QVERIFY2(m_stray.isEmpty(), describe(m_stray).constData());
}

void tst_FramingAgreement::fuzzedStreamsFrameAlike()
{
    const quint32 seed = qEnvironmentVariableIsSet("COMMANDBRIDGE_FRAMING_SEED")
                             ? quint32(qEnvironmentVariableIntValue("COMMANDBRIDGE_FRAMING_SEED"))
                             : 20240612u;
    const int streams = qEnvironmentVariableIsSet("COMMANDBRIDGE_FRAMING_STREAMS")
                            ? qEnvironmentVariableIntValue("COMMANDBRIDGE_FRAMING_STREAMS")
                            : defaultStreams;
    qInfo("seed %u, %d streams", seed, streams);
    QRandomGenerator random(seed);
    const QList<QPair<QByteArray, QByteArray>> seeds = corpus();

    int failed = 0;
    for (int i = 0; i < streams; ++i) {
        QByteArray stream = seeds.at(random.bounded(int(seeds.size()))).second;
        // Half of them after a valid request, where a smuggled request would hide.
        const QByteArray before =
            random.bounded(2) == 0 ? seeds.at(random.bounded(3)).second : QByteArray();
        stream = before + mutated(stream, seeds, random);
        const QByteArray failure = check(stream, someCuts(stream, random));
        if (failure.isEmpty())
            continue;
        if (++failed <= maxReportedFailures)
            qInfo().noquote() << "stream" << i << ":" << failure;
    }
    const QByteArray stray = "requests read between streams:" + describe(m_stray);
    QVERIFY2(m_stray.isEmpty(), stray.constData());
    QVERIFY2(failed == 0, qPrintable(QStringLiteral("%1 of %2 streams framed differently (seed "
                                                    "%3), the first ones above")
                                         .arg(failed)
                                         .arg(streams)
                                         .arg(seed)));
}

QTEST_GUILESS_MAIN(tst_FramingAgreement)
#include "tst_framingagreement.moc"
