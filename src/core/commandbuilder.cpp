// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commandbuilder.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

namespace CommandBridge {

class CommandBuilderPrivate
{
public:
    CommandDescriptor descriptor;
    /// The first problem a setter met; empty while the builder is valid.
    QString problem;
    /// The last registerIn() failure, or the problem.
    QString errorString;
};

CommandBuilder::CommandBuilder(const QString &name)
    : d(std::make_unique<CommandBuilderPrivate>())
{
    d->descriptor.name = name;
}

CommandBuilder::CommandBuilder(const CommandBuilder &other)
    : d(std::make_unique<CommandBuilderPrivate>(*other.d))
{}

CommandBuilder::CommandBuilder(CommandBuilder &&other) noexcept = default;

CommandBuilder &CommandBuilder::operator=(const CommandBuilder &other)
{
    if (this != &other)
        d = std::make_unique<CommandBuilderPrivate>(*other.d);
    return *this;
}

CommandBuilder &CommandBuilder::operator=(CommandBuilder &&other) noexcept = default;

CommandBuilder::~CommandBuilder() = default;

CommandBuilder &CommandBuilder::description(const QString &text)
{
    d->descriptor.description = text;
    return *this;
}

CommandBuilder &CommandBuilder::args(const QJsonObject &schema)
{
    d->descriptor.argsSchema = schema;
    return *this;
}

CommandBuilder &CommandBuilder::args(QByteArrayView schemaJson)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(schemaJson.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError) {
        if (d->problem.isEmpty()) {
            d->problem = QStringLiteral("Command \"%1\": args schema is not valid JSON: %2 at "
                                        "offset %3")
                             .arg(d->descriptor.name, error.errorString())
                             .arg(error.offset);
        }
    } else if (!document.isObject()) {
        if (d->problem.isEmpty()) {
            d->problem = QStringLiteral("Command \"%1\": args schema is not a JSON object")
                             .arg(d->descriptor.name);
        }
    } else {
        d->descriptor.argsSchema = document.object();
    }
    d->errorString = d->problem;
    return *this;
}

CommandBuilder &CommandBuilder::defaultTimeout(std::chrono::milliseconds timeout)
{
    d->descriptor.defaultTimeout = timeout;
    return *this;
}

CommandBuilder &CommandBuilder::mode(ExecutionMode mode)
{
    d->descriptor.mode = mode;
    return *this;
}

CommandBuilder &CommandBuilder::thread(HandlerThread thread)
{
    d->descriptor.thread = thread;
    return *this;
}

CommandBuilder &CommandBuilder::requiresSession(bool required)
{
    d->descriptor.requiresSession = required;
    return *this;
}

CommandBuilder &CommandBuilder::handler(CommandDescriptor::Handler handler)
{
    d->descriptor.handler = std::move(handler);
    return *this;
}

bool CommandBuilder::isValid() const
{
    return d->problem.isEmpty();
}

QString CommandBuilder::errorString() const
{
    return d->errorString;
}

CommandDescriptor CommandBuilder::build() const
{
    CommandDescriptor descriptor = d->descriptor;
    if (!isValid())
        descriptor.handler = nullptr;
    return descriptor;
}

bool CommandBuilder::registerIn(CommandRegistry &registry)
{
    if (!isValid()) {
        d->errorString = d->problem;
        return false;
    }
    if (!registry.registerCommand(d->descriptor)) {
        d->errorString = registry.errorString();
        return false;
    }
    d->errorString.clear();
    return true;
}

} // namespace CommandBridge
