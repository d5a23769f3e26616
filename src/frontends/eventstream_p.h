// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "eventbus_p.h"
#include "outgoingqueue_p.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtHttpServer/QHttpServerResponder>

#include <chrono>
#include <optional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

class AdmittedHttpSocket;

/// One `GET /api/v1/events/stream` (spec section 10): the events its subscription matches, as
/// Server-Sent Events a browser's EventSource reads, through an OutgoingQueue so that a reader
/// that stops costs bounded memory. A comment line every keep-alive interval keeps proxies from
/// closing it. Deletes itself when its client goes or the server ends it.
class EventStream : public QObject, private EventSubscriber
{
    Q_OBJECT

public:
    /// Starts streaming at once the events of \a entries, which ConnectionSubscription::check()
    /// accepted, to \a connection, which is live.
    EventStream(CommandRegistry *registry, const QStringList &entries, const QString &sessionId,
                QHttpServerResponder &&responder, AdmittedHttpSocket *connection, qint64 highWater,
                std::chrono::milliseconds keepAlive, QObject *parent);
    ~EventStream() override;

    /// Ends the response cleanly (the server is shutting down) and deletes the stream.
    void end();

private:
    void eventPublished(const PublishedEvent &event) override;
    void timerEvent(QTimerEvent *event) override;
    void clientGone();

    QPointer<QTcpSocket> m_socket;
    std::optional<QHttpServerResponder> m_responder;
    ConnectionSubscription m_subscription;
    OutgoingQueue m_events;
    QBasicTimer m_keepAlive;
};

} // namespace CommandBridge
