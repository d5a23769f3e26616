// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "rawhttpclient.h"

#include <QtCore/QJsonDocument>
#include <QtNetwork/QHostAddress>

namespace CommandBridgeTest {

QByteArray HttpResponse::mediaType() const
{
    const QByteArray type = headers.value("content-type");
    const qsizetype semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.left(semicolon)).trimmed().toLower();
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

RawHttpClient::RawHttpClient(quint16 port, Connect when)
    : m_port(port)
{
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] {
        const QByteArray fresh = m_socket.readAll();
        m_received += fresh;
        m_buffer += fresh;
        parse();
    });
    if (when == Connect::Now)
        connectToServer();
}

void RawHttpClient::connectToServer()
{
    m_socket.connectToHost(QHostAddress::LocalHost, m_port);
}

void RawHttpClient::send(const QByteArray &bytes)
{
    m_socket.write(bytes);
    // Before the connection is up flushing would only warn.
    if (isConnected())
        m_socket.flush();
}

void RawHttpClient::parse()
{
    while (!m_upgraded) {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
        const QList<QByteArray> statusLine = lines.constFirst().trimmed().split(' ');
        HttpResponse response;
        response.status = statusLine.size() >= 2 && statusLine.at(0).startsWith("HTTP/1.")
                              ? statusLine.at(1).toInt()
                              : -1;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0) {
                response.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                        lines.at(i).mid(colon + 1).trimmed());
            }
        }
        const qsizetype bodyStart = headEnd + 4;
        if (response.status == 101) {
            m_upgraded = true;
            m_buffer.remove(0, bodyStart);
            m_responses.append(response);
            return;
        }
        const qsizetype length = response.headers.value("content-length", "0").toLongLong();
        if (m_buffer.size() < bodyStart + length)
            return;
        response.body = m_buffer.mid(bodyStart, length);
        m_buffer.remove(0, bodyStart + length);
        m_responses.append(response);
    }
}

} // namespace CommandBridgeTest
