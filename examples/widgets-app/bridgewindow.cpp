// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "bridgewindow.h"

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTime>
#include <QtGui/QFontDatabase>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QVBoxLayout>

using namespace Qt::StringLiterals;
using namespace CommandBridge;

namespace {

constexpr int maxLogLines = 2000;
constexpr int maxArgsShown = 120;

/// The args as the client sent them: the injected session id is noise in a log line.
QString argsForLog(QJsonObject args)
{
    args.remove(u"session_id"_s);
    QString text = QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact));
    if (text.size() > maxArgsShown)
        text = text.left(maxArgsShown - 1) + u'…';
    return text;
}

} // namespace

BridgeWindow::BridgeWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_headline(new QLabel(this))
    , m_url(new QLabel(this))
    , m_running(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
{
    m_clock.start();
    setWindowTitle(tr("CommandBridge widgets example"));
    resize(720, 560);

    m_headline->setAlignment(Qt::AlignCenter);
    m_headline->setMinimumHeight(160);
    m_headline->setWordWrap(true);
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 2);
    headlineFont.setBold(true);
    m_headline->setFont(headlineFont);
    setHeadline(tr("Hello from the bridge"));
    setCanvasColor(QColor(0xe8, 0xf0, 0xfe));

    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_url->setWordWrap(true);
    m_url->setText(tr("Not listening"));

    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(maxLogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Commands that clients run appear here."));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_headline);
    layout->addWidget(m_url);
    layout->addWidget(new QLabel(tr("<b>Command log</b>"), central));
    layout->addWidget(m_log, 1);
    setCentralWidget(central);

    statusBar()->addPermanentWidget(m_running);
    updateRunning();
}

QString BridgeWindow::headline() const
{
    return m_headline->text();
}

void BridgeWindow::setHeadline(const QString &text)
{
    if (text == m_headline->text())
        return;
    m_headline->setText(text);
    Q_EMIT headlineChanged(text);
}

void BridgeWindow::paint(const QString &color, CommandContext *context)
{
    const QColor parsed = QColor::fromString(color);
    if (!parsed.isValid()) {
        // The shape of a schema failure, so that clients show it next to the field.
        const QJsonArray details{QJsonObject{{u"path"_s, u"/color"_s},
                                             {u"message"_s, u"not a colour name or #rrggbb"_s}}};
        context->fail(ErrorCode::InvalidArgs, u"Unknown colour \"%1\""_s.arg(color), details);
        return;
    }
    const QColor previous = m_canvasColor;
    setCanvasColor(parsed);
    context->succeed(QJsonObject{{u"color"_s, parsed.name()}, {u"previous"_s, previous.name()}});
}

void BridgeWindow::setCanvasColor(const QColor &color)
{
    m_canvasColor = color;
    // Keep the headline readable whatever colour a client picks.
    const QColor ink = color.lightnessF() > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
    m_headline->setStyleSheet(u"QLabel { background: %1; color: %2; border-radius: 8px; }"_s.arg(
        color.name(), ink.name()));
}

void BridgeWindow::setServerUrl(const QUrl &webSocketUrl, const QUrl &httpUrl)
{
    const QString ws = webSocketUrl.toString();
    const QString rest = httpUrl.toString() + u"/api/v1/commands"_s;
    m_url->setText(tr("Listening on <b>%1</b> (WebSocket) and <b>%2</b> (REST).<br>"
                      "Try: <code>curl -X POST %2/window.paint -d '{\"color\":\"orange\"}'</code>")
                       .arg(ws.toHtmlEscaped(), rest.toHtmlEscaped()));
}

void BridgeWindow::watch(CommandRegistry *registry)
{
    // The registry tells of commands by value from the thread serving them; the default connection
    // delivers them here, on the window's thread.
    connect(registry, &CommandRegistry::commandStarted, this, &BridgeWindow::logStarted);
    connect(registry, &CommandRegistry::commandProgressed, this, &BridgeWindow::showProgress);
    connect(registry, &CommandRegistry::commandFinished, this, &BridgeWindow::logFinished);
}

void BridgeWindow::logStarted(const CommandInfo &command)
{
    ++m_runningCount;
    updateRunning();
    m_startedAt.insert(command.serial, m_clock.elapsed());
    const QString session = command.sessionId.isEmpty()
                                ? tr("REST, no session")
                                : tr("session %1").arg(command.sessionId.left(8));
    appendLog(u"▶ <b>%1</b> %2 <span style='color:gray'>(%3)</span>"_s.arg(
        command.command.toHtmlEscaped(), argsForLog(command.args).toHtmlEscaped(), session));
}

void BridgeWindow::showProgress(const CommandInfo &command, const CommandProgress &progress)
{
    // The status bar only: the log gets one line per start and per end, however chatty a command.
    statusBar()->showMessage(progress.percent
                                 ? u"%1: %2 (%3 %)"_s.arg(command.command, progress.message)
                                       .arg(*progress.percent, 0, 'f', 0)
                                 : u"%1: %2"_s.arg(command.command, progress.message));
}

void BridgeWindow::logFinished(const CommandInfo &command, const CommandResult &result)
{
    --m_runningCount;
    updateRunning();
    statusBar()->clearMessage();
    const QString name = command.command.toHtmlEscaped();
    const QString took = tr("%1 ms").arg(m_clock.elapsed() - m_startedAt.take(command.serial));
    if (result.isSuccess()) {
        appendLog(u"<span style='color:#1a7f37'>✓</span> <b>%1</b> %2"_s.arg(name, took));
    } else {
        appendLog(u"<span style='color:#cf222e'>✗</span> <b>%1</b> %2 — %3: %4"_s.arg(
            name, took, result.errorCode().toHtmlEscaped(), result.errorMessage().toHtmlEscaped()));
    }
}

void BridgeWindow::appendLog(const QString &html)
{
    const QString time = QTime::currentTime().toString(u"HH:mm:ss.zzz"_s);
    m_log->appendHtml(u"<span style='color:gray'>%1</span> %2"_s.arg(time, html));
}

void BridgeWindow::updateRunning()
{
    m_running->setText(tr("%n command(s) running", nullptr, m_runningCount));
}
