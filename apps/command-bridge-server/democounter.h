// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QObject>
#include <QtCore/QString>

namespace CommandBridge {
class CommandRegistry;
} // namespace CommandBridge

namespace CommandBridge::Demo {

/// The demo server's `counter` (protocol section 13): a plain QObject that the registry exposes
/// without any hand-written command, schema or event.
class Counter : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int value READ value WRITE setValue NOTIFY valueChanged)
    Q_PROPERTY(QString label READ label WRITE setLabel NOTIFY labelChanged)

public:
    /// overflowed() tells when value passes this.
    static constexpr int limit = 1000000;

    explicit Counter(QObject *parent = nullptr);

    int value() const { return m_value; }
    void setValue(int value);
    QString label() const { return m_label; }
    void setLabel(const QString &label);

    /// Adds \a by (saturating at the bounds of int) and answers the new value.
    Q_INVOKABLE int increment(int by);
    /// Sets the value to 0.
    Q_INVOKABLE void reset();

Q_SIGNALS:
    void valueChanged(int value);
    void labelChanged(const QString &label);
    /// The value went from at most \a limit to above it.
    void overflowed(int limit);

private:
    int m_value = 0;
    QString m_label;
};

/// Exposes a Counter, a child of \a registry, as `counter`.
void exposeCounter(CommandRegistry &registry);

} // namespace CommandBridge::Demo
