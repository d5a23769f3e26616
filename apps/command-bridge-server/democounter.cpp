// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "democounter.h"

#include <CommandBridge/commandregistry.h>

#include <QtCore/QtGlobal>

#include <algorithm>
#include <limits>

namespace CommandBridge::Demo {

Counter::Counter(QObject *parent)
    : QObject(parent)
{}

void Counter::setValue(int value)
{
    if (value == m_value)
        return;
    const bool passesLimit = m_value <= limit && value > limit;
    m_value = value;
    Q_EMIT valueChanged(m_value);
    if (passesLimit)
        Q_EMIT overflowed(limit);
}

void Counter::setLabel(const QString &label)
{
    if (label == m_label)
        return;
    m_label = label;
    Q_EMIT labelChanged(m_label);
}

int Counter::increment(int by)
{
    const qint64 sum = qint64(m_value) + by;
    setValue(int(
        std::clamp<qint64>(sum, std::numeric_limits<int>::min(), std::numeric_limits<int>::max())));
    return m_value;
}

void Counter::reset()
{
    setValue(0);
}

void exposeCounter(CommandRegistry &registry)
{
    // The registry disconnects from the objects it exposes before its children go.
    if (!registry.exposeObject(QStringLiteral("counter"), new Counter(&registry)))
        qFatal("Cannot expose the demo counter: %s", qPrintable(registry.errorString()));
}

} // namespace CommandBridge::Demo
