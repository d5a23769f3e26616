// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandcontext.h>
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

/// The example's window: a headline on a coloured canvas that clients change, the bridge's URL,
/// and a live log of the commands clients run. The registry exposes it as `window`: its headline
/// property and paint() become commands and an event with no hand-written glue.
///
/// Threads: a widget, so every member is called on the GUI thread only; its exposed commands run
/// there because an exposed object's calls run on its thread.
class BridgeWindow : public QMainWindow
{
    Q_OBJECT
    Q_PROPERTY(QString headline READ headline WRITE setHeadline NOTIFY headlineChanged)

public:
    explicit BridgeWindow(QWidget *parent = nullptr);

    QString headline() const;
    void setHeadline(const QString &text);
    QColor canvasColor() const { return m_canvasColor; }
    void setCanvasColor(const QColor &color);
    /// Paints the headline's background \a color (a name like "teal" or #rrggbb) and answers it
    /// with the previous one; an unknown colour fails with invalid_args on /color.
    Q_INVOKABLE void paint(const QString &color, CommandBridge::CommandContext *context);
    void setServerUrl(const QUrl &webSocketUrl, const QUrl &httpUrl);

    /// Logs every command \a registry starts and how it ends, whichever thread serves it.
    void watch(CommandBridge::CommandRegistry *registry);

Q_SIGNALS:
    void headlineChanged(const QString &headline);

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
