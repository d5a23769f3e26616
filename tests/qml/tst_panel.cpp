#include "democommands.h"
#include "democounter.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandclient.h>
#include <CommandBridge/commandregistry.h>

#include <QtQml/QQmlContext>
#include <QtQml/QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>

using namespace Qt::StringLiterals;

// The panel's QML is a static plugin (qml_demo/CMakeLists.txt).
Q_IMPORT_QML_PLUGIN(CommandBridgePanelPlugin)

/// Starts a bridge with the demo commands, events and counter on 127.0.0.1, port 0, for the panel
/// and EventSubscription tests. QML sees its URL as `bridgeUrl` and this object as `bridge` (for
/// its in-flight count).
class PanelTestSetup : public QObject
{
    Q_OBJECT

public:
    /// Commands running on the server: a cancelled call must leave none behind.
    Q_INVOKABLE int inFlightCount() const { return m_server ? m_server->inFlightCount() : -1; }

public Q_SLOTS:
    void applicationAvailable()
    {
        // Keeps the client library linked, which registers `import CommandBridge`.
        qRegisterMetaType<CommandBridge::CommandClient *>();

        m_registry = std::make_unique<CommandBridge::CommandRegistry>();
        CommandBridge::Demo::registerDemoCommands(*m_registry);
        CommandBridge::Demo::exposeCounter(*m_registry);
        m_server = std::make_unique<CommandBridge::CommandBridgeServer>(m_registry.get());
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            qFatal("Cannot start the bridge: %s", qPrintable(m_server->errorString()));
        // The `stats` event, as the demo server publishes it, for the panel's live figure.
        CommandBridge::Demo::publishStats(*m_registry, *m_server);
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(u"qrc:/qt/qml"_s);
        engine->rootContext()->setContextProperty(u"bridgeUrl"_s,
                                                  m_server->webSocketUrl().toString());
        engine->rootContext()->setContextProperty(u"bridge"_s, this);
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_registry.reset();
    }

private:
    // The registry outlives the server, as CommandBridgeServer requires.
    std::unique_ptr<CommandBridge::CommandRegistry> m_registry;
    std::unique_ptr<CommandBridge::CommandBridgeServer> m_server;
};

QUICK_TEST_MAIN_WITH_SETUP(panel, PanelTestSetup)

#include "tst_panel.moc"
