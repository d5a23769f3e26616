// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "democommands.h"
#include "democounter.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/version.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>

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

/// Read when --token is absent, so that the token does not show in `ps`.
constexpr char tokenVariable[] = "COMMAND_BRIDGE_TOKEN";

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

/// The token from --token, else from the environment; empty means no authentication. Nothing
/// (after saying why on stderr) when it could never be presented in an Authorization header.
std::optional<QString> tokenOption(const QCommandLineParser &parser)
{
    const bool fromOption = parser.isSet(u"token"_s);
    const QString token =
        fromOption ? parser.value(u"token"_s) : qEnvironmentVariable(tokenVariable);
    const QString source = fromOption ? u"--token"_s : QString::fromLatin1(tokenVariable);
    if (fromOption && token.isEmpty()) {
        printError(u"--token must not be empty"_s);
        return std::nullopt;
    }
    for (const QChar character : token) {
        if (character.isSpace() || character.category() == QChar::Other_Control) {
            printError(u"%1 must not contain spaces or control characters"_s.arg(source));
            return std::nullopt;
        }
    }
    return token;
}

/// The --allow-origin values, each as a browser sends it: scheme://host[:port], nothing more.
std::optional<QStringList> allowedOrigins(const QCommandLineParser &parser)
{
    const QStringList origins = parser.values(u"allow-origin"_s);
    for (const QString &origin : origins) {
        const QUrl url(origin, QUrl::StrictMode);
        const bool isOrigin = url.isValid() && !url.scheme().isEmpty() && !url.host().isEmpty() &&
                              url.userInfo().isEmpty() && url.path().isEmpty() && !url.hasQuery() &&
                              !url.hasFragment();
        if (!isOrigin) {
            printError(u"--allow-origin must be an origin such as http://localhost:5173 (scheme, "
                       u"host and optional port, no trailing slash), not '%1'"_s.arg(origin));
            return std::nullopt;
        }
    }
    return origins;
}

/// A private key in PEM or DER, RSA or EC, without a passphrase; null when it is none of these.
QSslKey readPrivateKey(const QByteArray &data)
{
    for (const QSsl::EncodingFormat format : {QSsl::Pem, QSsl::Der}) {
        for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
            QSslKey key(data, algorithm, format, QSsl::PrivateKey);
            if (!key.isNull())
                return key;
        }
    }
    return QSslKey();
}

/// The TLS configuration of --tls-cert \a certPath and --tls-key \a keyPath, or nothing (after
/// saying why on stderr) when a file is unreadable or not what it should be.
std::optional<QSslConfiguration> tlsConfiguration(const QString &certPath, const QString &keyPath)
{
    if (!QSslSocket::supportsSsl()) {
        printError(u"TLS is not available: Qt found no TLS backend (OpenSSL 3 library)"_s);
        return std::nullopt;
    }
    const auto readFile = [](const QString &option,
                             const QString &path) -> std::optional<QByteArray> {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            printError(u"%1: cannot read %2: %3"_s.arg(option, path, file.errorString()));
            return std::nullopt;
        }
        return file.readAll();
    };
    const std::optional<QByteArray> certData = readFile(u"--tls-cert"_s, certPath);
    const std::optional<QByteArray> keyData =
        certData ? readFile(u"--tls-key"_s, keyPath) : std::nullopt;
    if (!certData || !keyData)
        return std::nullopt;

    // The file may hold the whole chain, the server's own certificate first.
    QList<QSslCertificate> chain = QSslCertificate::fromData(*certData, QSsl::Pem);
    if (chain.isEmpty())
        chain = QSslCertificate::fromData(*certData, QSsl::Der);
    if (chain.isEmpty() || chain.constFirst().isNull()) {
        printError(u"--tls-cert: %1 holds no PEM or DER certificate"_s.arg(certPath));
        return std::nullopt;
    }
    const QSslKey key = readPrivateKey(*keyData);
    if (key.isNull()) {
        printError(u"--tls-key: %1 holds no RSA or EC private key in PEM or DER without a "
                   u"passphrase"_s.arg(keyPath));
        return std::nullopt;
    }
    if (chain.constFirst().expiryDate() < QDateTime::currentDateTimeUtc()) {
        qCWarning(lcServer).noquote() << "The certificate in" << certPath << "expired on"
                                      << chain.constFirst().expiryDate().toString(Qt::ISODate);
    }

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    // Clients are not asked for certificates; the token is the client's credential.
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    return tls;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"command-bridge-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(COMMANDBRIDGE_VERSION_STRING));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Serves the CommandBridge demo commands over REST and "
                                     u"WebSocket (protocol v1)."_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addOptions({
        {u"host"_s, u"Address to listen on. An address other than loopback needs a token."_s,
         u"address"_s, u"127.0.0.1"_s},
        {u"port"_s, u"Port to listen on; 0 picks a free one."_s, u"port"_s, u"8080"_s},
        {u"max-in-flight"_s, u"Commands in flight per WebSocket connection."_s, u"count"_s,
         u"32"_s},
        {u"max-message-bytes"_s, u"Largest WebSocket message or REST body."_s, u"bytes"_s,
         u"1048576"_s},
        {u"session-idle-minutes"_s, u"How long a session outlives its last connection."_s,
         u"minutes"_s, u"30"_s},
        {u"max-connections"_s, u"Open connections; one more gets HTTP 503."_s, u"count"_s,
         u"1024"_s},
        {u"network-threads"_s,
         u"Threads serving the sockets (epoll, no cost per idle connection); 0 serves them on "
         u"the main thread, where the commands run."_s,
         u"count"_s, u"1"_s},
        {u"token"_s,
         u"Bearer token clients must present (REST: Authorization header; WebSocket: header, "
         u"?token= or an auth message). Visible in ps: prefer the environment variable "
         u"COMMAND_BRIDGE_TOKEN, read when this option is absent."_s,
         u"token"_s},
        {u"allow-origin"_s,
         u"Origin allowed besides the server's own, e.g. http://localhost:5173. Repeatable."_s,
         u"origin"_s},
        {u"tls-cert"_s,
         u"PEM (or DER) certificate file, chain allowed: serve https:// and wss://. Needs "
         u"--tls-key."_s,
         u"file"_s},
        {u"tls-key"_s, u"Unencrypted RSA or EC private key file of --tls-cert."_s, u"file"_s},
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
    const auto port = integerOption(parser, u"port"_s, 0, 65535);
    const auto maxInFlight = integerOption(parser, u"max-in-flight"_s, 1, 100000);
    const auto maxMessageBytes = integerOption(parser, u"max-message-bytes"_s, 1, 1 << 30);
    const auto idleMinutes = integerOption(parser, u"session-idle-minutes"_s, 0, 7 * 24 * 60);
    const auto maxConnections = integerOption(parser, u"max-connections"_s, 1, 1000000);
    const auto networkThreads = integerOption(parser, u"network-threads"_s, 0, 64);
    if (!port || !maxInFlight || !maxMessageBytes || !idleMinutes || !maxConnections ||
        !networkThreads)
        return usageErrorStatus;
    const std::optional<QString> token = tokenOption(parser);
    const std::optional<QStringList> origins = allowedOrigins(parser);
    if (!token || !origins)
        return usageErrorStatus;
    if (parser.isSet(u"tls-cert"_s) != parser.isSet(u"tls-key"_s)) {
        printError(u"--tls-cert and --tls-key go together: give both or neither"_s);
        return usageErrorStatus;
    }
    std::optional<QSslConfiguration> tls;
    if (parser.isSet(u"tls-cert"_s)) {
        tls = tlsConfiguration(parser.value(u"tls-cert"_s), parser.value(u"tls-key"_s));
        if (!tls)
            return usageErrorStatus;
    }

    CommandRegistry registry;
    Demo::registerDemoCommands(registry);
    Demo::exposeCounter(registry);

    ServerOptions options;
    options.maxInFlight = static_cast<int>(*maxInFlight);
    options.maxMessageBytes = *maxMessageBytes;
    options.sessionIdleTime = std::chrono::minutes(*idleMinutes);
    options.maxConnections = static_cast<int>(*maxConnections);
    options.networkThreads = static_cast<int>(*networkThreads);
    options.token = *token;
    options.allowedOrigins = *origins;
    options.tls = tls;

    CommandBridgeServer server(&registry);
    Demo::publishStats(registry, server);
    server.setOptions(options);
    // The library refuses a non-loopback address without a token (spec 7) and says why.
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

    std::printf("command-bridge-server listening on %s (WebSocket: %s)\n",
                qPrintable(server.httpUrl().toString()),
                qPrintable(server.webSocketUrl().toString()));
    std::fflush(stdout);

    return QCoreApplication::exec();
}
