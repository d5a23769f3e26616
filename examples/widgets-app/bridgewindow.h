#pragma once

#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QUrl>
#include <QtGui/QColor>
#include <QtWidgets/QMainWindow>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
QT_END_NAMESPACE

/// The example's window: a headline on a coloured canvas that commands change, the bridge's URL,
/// and a live log of the commands clients run.
///
/// Threads: a widget, so every member is called on the GUI thread only; the commands that change
/// it run there because they are registered as Synchronous.
class BridgeWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit BridgeWindow(QWidget *parent = nullptr);

    void setHeadline(const QString &text);
    QColor canvasColor() const { return m_canvasColor; }
    void setCanvasColor(const QColor &color);
    void setServerUrl(const QUrl &webSocketUrl, const QUrl &httpUrl);

    /// Logs every command \a registry starts and how it ends, whichever thread serves it.
    void watch(CommandBridge::CommandRegistry *registry);

private:
    void logStarted(const CommandBridge::CommandInfo &command);
    void showProgress(const CommandBridge::CommandInfo &command,
                      const CommandBridge::CommandProgress &progress);
    void logFinished(const CommandBridge::CommandInfo &command,
                     const CommandBridge::CommandResult &result);
    void appendLog(const QString &html);
    void updateRunning();

    QLabel *m_headline;
    QLabel *m_url;
    QLabel *m_running;
    QPlainTextEdit *m_log;
    QColor m_canvasColor;
    int m_runningCount = 0;
    QElapsedTimer m_clock;
    /// When each running command started, by CommandInfo::serial.
    QHash<quint64, qint64> m_startedAt;
};
