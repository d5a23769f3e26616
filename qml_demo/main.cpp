#include <CommandBridge/commandclient.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QLocale>
#include <QtCore/QTimer>
#include <QtCore/QTranslator>
#include <QtCore/QUrl>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtQml/QQmlApplicationEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuick/QQuickWindow>

#include <cstdio>

using namespace Qt::StringLiterals;

// The panel's QML is a static plugin (qml_demo/CMakeLists.txt).
Q_IMPORT_QML_PLUGIN(CommandBridgePanelPlugin)

namespace {

constexpr int usageErrorStatus = 2;
// How long --screenshot waits for the demo's long command before giving up.
constexpr int demoStartTimeoutMs = 20000;

/// The translation context of the texts below.
class CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)
};

/// Installs the panel's and the client library's catalogues for the user's languages, where one
/// is built in (the texts are English in the source, so English needs none).
void installTranslations(QCoreApplication &app)
{
    for (const QString &catalogue : {u"command-bridge-panel"_s, u"commandbridge_client"_s}) {
        auto *translator = new QTranslator(&app);
        if (translator->load(QLocale(), catalogue, u"_"_s, u":/i18n"_s))
            QCoreApplication::installTranslator(translator);
        else
            delete translator;
    }
}

void printError(const QString &message)
{
    std::fprintf(stderr, "command-bridge-panel: %s\n", qPrintable(message));
}

/// Saves \a window to \a path and quits; the exit status says whether it worked.
void grabAndQuit(QQuickWindow *window, const QString &path)
{
    const QImage image = window->grabWindow();
    if (image.isNull() || !image.save(path)) {
        printError(CommandLine::tr("cannot save the screenshot to %1").arg(path));
        QCoreApplication::exit(1);
        return;
    }
    std::printf("saved %s (%dx%d)\n", qPrintable(path), image.width(), image.height());
    std::fflush(stdout);
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(u"command-bridge-panel"_s);
    installTranslations(app);
    QGuiApplication::setApplicationDisplayName(CommandLine::tr("CommandBridge panel"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        CommandLine::tr("A Qt Quick panel for running CommandBridge commands"));
    parser.addHelpOption();
    const QCommandLineOption urlOption(u"url"_s, CommandLine::tr("Bridge WebSocket URL."), u"url"_s,
                                       u"ws://127.0.0.1:8080/ws"_s);
    const QCommandLineOption tokenOption(u"token"_s, CommandLine::tr("Bearer token."), u"token"_s);
    const QCommandLineOption connectOption(u"connect"_s, CommandLine::tr("Connect at start."));
    const QCommandLineOption demoOption(
        u"demo"_s,
        CommandLine::tr(
            "Connect and run a few demo commands, one of them long (implies --connect)."));
    const QCommandLineOption screenshotOption(
        u"screenshot"_s,
        CommandLine::tr("Save the window to this PNG and quit (with --demo: mid-command)."),
        u"path"_s);
    const QCommandLineOption screenshotDelayOption(
        u"screenshot-after-ms"_s,
        CommandLine::tr(
            "Delay before the screenshot, counted from the demo's start (default 2000)."),
        u"ms"_s, u"2000"_s);
    parser.addOptions({urlOption, tokenOption, connectOption, demoOption, screenshotOption,
                       screenshotDelayOption});
    parser.process(app);

    const QUrl url(parser.value(urlOption), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"ws"_s && url.scheme() != u"wss"_s)) {
        printError(CommandLine::tr("--url must be a ws:// or wss:// URL"));
        return usageErrorStatus;
    }
    bool delayOk = false;
    const int screenshotDelay = parser.value(screenshotDelayOption).toInt(&delayOk);
    if (!delayOk || screenshotDelay < 0) {
        printError(CommandLine::tr("--screenshot-after-ms must be a number of milliseconds"));
        return usageErrorStatus;
    }
    const bool demo = parser.isSet(demoOption);

    // `import CommandBridge` is registered when the client library loads. Naming one of its types
    // keeps the library linked (--as-needed drops libraries nothing refers to), so the import
    // works without its plugin on the import path, in the build tree as installed.
    qRegisterMetaType<CommandBridge::CommandClient *>();

    QQmlApplicationEngine engine;
    // Where qt_add_qml_module puts the panel's module in the resources (the default from Qt 6.5).
    engine.addImportPath(u"qrc:/qt/qml"_s);
    engine.setInitialProperties({
        {u"url"_s, url.toString()},
        {u"token"_s, parser.value(tokenOption)},
        {u"autoConnect"_s, parser.isSet(connectOption)},
        {u"demo"_s, demo},
    });
    engine.load(QUrl(u"qrc:/qt/qml/CommandBridgePanel/Main.qml"_s));
    if (engine.rootObjects().isEmpty())
        return 1;

    if (parser.isSet(screenshotOption)) {
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        const QString path = parser.value(screenshotOption);
        auto *shot = new QTimer(window);
        shot->setSingleShot(true);
        shot->setInterval(screenshotDelay);
        QObject::connect(shot, &QTimer::timeout, window,
                         [window, path] { grabAndQuit(window, path); });
        if (demo) {
            // Counted from the demo's start, so the picture is mid-command however long the
            // connection took.
            QObject::connect(window, SIGNAL(demoStarted()), shot, SLOT(start()));
            QTimer::singleShot(demoStartTimeoutMs, window, [shot] {
                if (shot->isActive())
                    return;
                printError(CommandLine::tr("the demo did not start: is the bridge running?"));
                QCoreApplication::exit(1);
            });
        } else {
            shot->start();
        }
    }
    return QGuiApplication::exec();
}
