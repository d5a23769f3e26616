#include "democommands.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace CommandBridge;

namespace {

Q_LOGGING_CATEGORY(lcServer, "commandbridge.server")

constexpr int usageErrorStatus = 2;
constexpr int listenErrorStatus = 1;

/// The self-pipe: the signal handler writes the signal number to [0], the event loop reads [1].
int signalPipe[2] = {-1, -1};

void onTerminationSignal(int signalNumber)
{
    const int savedErrno = errno;
    const char byte = static_cast<char>(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[0], &byte, 1);
    errno = savedErrno;
}

/// Turns SIGINT and SIGTERM into calls of \a onSignal on the event loop, since almost nothing is
/// async-signal-safe inside a handler.
bool watchTerminationSignals(QObject *parent, const std::function<void(int)> &onSignal)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return false;
    ::fcntl(signalPipe[0], F_SETFL, ::fcntl(signalPipe[0], F_GETFL) | O_NONBLOCK);

    auto *notifier = new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, parent);
    QObject::connect(notifier, &QSocketNotifier::activated, parent, [onSignal] {
        char byte = 0;
        if (::read(signalPipe[1], &byte, 1) == 1)
            onSignal(byte);
    });

    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 &&
           ::sigaction(SIGTERM, &action, nullptr) == 0;
}

void printError(const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()),
                 qPrintable(message));
}

/// The value of integer option \a name, or nothing (after saying why on stderr) when it is not an
/// integer in [minimum, maximum].
std::optional<qint64> integerOption(const QCommandLineParser &parser, const QString &name,
                                    qint64 minimum, qint64 maximum)
{
    const QString text = parser.value(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (ok && value >= minimum && value <= maximum)
        return value;
    printError(u"--%1 must be an integer from %2 to %3, not '%4'"_s.arg(name)
                   .arg(minimum)
                   .arg(maximum)
                   .arg(text));
    return std::nullopt;
}

/// HOST:PORT as in a URL, so IPv6 addresses get their brackets.
QUrl serverUrl(const QString &scheme, const QHostAddress &address, int port)
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(address.toString());
    url.setPort(port);
    return url;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"command-bridge-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(COMMANDBRIDGE_SERVER_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Serves the CommandBridge demo commands over REST and "
                                     u"WebSocket (protocol v1)."_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addOptions({
        {u"host"_s, u"Address to listen on."_s, u"address"_s, u"127.0.0.1"_s},
        {u"port"_s, u"Port to listen on; 0 picks a free one."_s, u"port"_s, u"8080"_s},
        {u"max-in-flight"_s, u"Commands in flight per WebSocket connection."_s, u"count"_s,
         u"32"_s},
        {u"max-message-bytes"_s, u"Largest WebSocket message or REST body."_s, u"bytes"_s,
         u"1048576"_s},
        {u"session-idle-minutes"_s, u"How long a session outlives its last connection."_s,
         u"minutes"_s, u"30"_s},
    });

    if (!parser.parse(QCoreApplication::arguments())) {
        printError(parser.errorText());
        return usageErrorStatus;
    }
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty()) {
        printError(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));
        return usageErrorStatus;
    }

    const QString host = parser.value(u"host"_s);
    QHostAddress address;
    if (host == u"localhost"_s)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host)) {
        printError(u"--host must be an IP address, not '%1'"_s.arg(host));
        return usageErrorStatus;
    }
    // Spec 7: never serve unauthenticated beyond this machine; the library has no token yet.
    if (!address.isLoopback()) {
        printError(u"refusing to listen on %1: a non-loopback address needs a token, and tokens "
                   u"are not supported yet"_s.arg(host));
        return usageErrorStatus;
    }
    const auto port = integerOption(parser, u"port"_s, 0, 65535);
    const auto maxInFlight = integerOption(parser, u"max-in-flight"_s, 1, 100000);
    const auto maxMessageBytes = integerOption(parser, u"max-message-bytes"_s, 1, 1 << 30);
    const auto idleMinutes = integerOption(parser, u"session-idle-minutes"_s, 0, 7 * 24 * 60);
    if (!port || !maxInFlight || !maxMessageBytes || !idleMinutes)
        return usageErrorStatus;

    CommandRegistry registry;
    Demo::registerDemoCommands(registry);

    ServerOptions options;
    options.maxInFlight = static_cast<int>(*maxInFlight);
    options.maxMessageBytes = *maxMessageBytes;
    options.sessionIdleTime = std::chrono::minutes(*idleMinutes);

    CommandBridgeServer server(&registry);
    server.setOptions(options);
    if (!server.listen(address, static_cast<quint16>(*port))) {
        printError(u"cannot listen on %1: %2"_s.arg(
            serverUrl(u"http"_s, address, static_cast<int>(*port)).authority(),
            server.errorString()));
        return listenErrorStatus;
    }

    // A second signal means the graceful shutdown is not wanted any more.
    bool stopping = false;
    const bool watching = watchTerminationSignals(&app, [&server, &stopping](int signalNumber) {
        if (stopping) {
            qCWarning(lcServer) << "Signal" << signalNumber << "again: exiting at once";
            QCoreApplication::exit(1);
            return;
        }
        stopping = true;
        qCInfo(lcServer) << "Signal" << signalNumber << "received: shutting down";
        server.shutdown();
    });
    if (!watching)
        qCWarning(lcServer) << "Cannot watch SIGINT/SIGTERM; they will stop the server abruptly";
    QObject::connect(&server, &CommandBridgeServer::shutdownFinished, &app,
                     &QCoreApplication::quit);

    const QUrl httpUrl = serverUrl(u"http"_s, address, server.serverPort());
    QUrl webSocketUrl = serverUrl(u"ws"_s, address, server.serverPort());
    webSocketUrl.setPath(u"/ws"_s);
    std::printf("command-bridge-server listening on %s (WebSocket: %s)\n",
                qPrintable(httpUrl.toString()), qPrintable(webSocketUrl.toString()));
    std::fflush(stdout);

    return QCoreApplication::exec();
}
