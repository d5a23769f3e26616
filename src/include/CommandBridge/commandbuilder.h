// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QByteArrayView>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <chrono>
#include <memory>

namespace CommandBridge {

class CommandBuilderPrivate;

/// Builds a CommandDescriptor in one expression, with the args schema written as the JSON that
/// list_commands shows:
///
///     CommandBuilder(u"count"_s)
///         .description(u"Counts to 'to'"_s)
///         .args(R"({"type": "object", "properties": {"to": {"type": "integer"}}})")
///         .mode(ExecutionMode::EventLoop)
///         .handler(count)
///         .registerIn(registry);
///
/// Unset fields keep CommandDescriptor's defaults. A builder that cannot make its descriptor (a
/// malformed args literal) says so in errorString(), and registerIn() refuses it.
///
/// A plain value owned by its caller; use it on one thread at a time.
class COMMANDBRIDGE_EXPORT CommandBuilder
{
public:
    /// A builder for the command called \a name (see CommandDescriptor::name for the rules,
    /// which registerIn() checks).
    explicit CommandBuilder(const QString &name);
    /// An independent copy of \a other, with its fields and its validity.
    CommandBuilder(const CommandBuilder &other);
    /// Takes over \a other, which may then only be assigned to or destroyed.
    CommandBuilder(CommandBuilder &&other) noexcept;
    /// Makes this builder an independent copy of \a other.
    CommandBuilder &operator=(const CommandBuilder &other);
    /// Takes over \a other, which may then only be assigned to or destroyed.
    CommandBuilder &operator=(CommandBuilder &&other) noexcept;
    ~CommandBuilder();

    /// One line for humans, shown by list_commands.
    CommandBuilder &description(const QString &text);
    /// The JSON Schema (draft 7) of the args object, as a QJsonObject.
    CommandBuilder &args(const QJsonObject &schema);
    /// The JSON Schema (draft 7) of the args object, as JSON text. Text that is not a JSON object
    /// makes the builder invalid, errorString() naming the command, the parse error and its offset;
    /// it never turns into an empty (accept-anything) schema.
    CommandBuilder &args(QByteArrayView schemaJson);
    /// How long a request may run when it asks for no timeout of its own.
    CommandBuilder &defaultTimeout(std::chrono::milliseconds timeout);
    /// Where and how the handler runs (CommandDescriptor::mode).
    CommandBuilder &mode(ExecutionMode mode);
    /// Where a Synchronous or EventLoop handler runs when the server has network threads.
    CommandBuilder &thread(HandlerThread thread);
    /// Whether a REST request needs an X-Session-Id (without one it fails with no_session).
    CommandBuilder &requiresSession(bool required = true);
    /// The function that runs the command (CommandDescriptor::handler).
    CommandBuilder &handler(CommandDescriptor::Handler handler);

    /// False when a setter was given something it cannot use; errorString() says what.
    bool isValid() const;
    /// What makes the builder invalid, or why the last registerIn() failed; empty otherwise.
    QString errorString() const;

    /// The descriptor built so far. Check isValid() first: an invalid builder's descriptor has no
    /// handler, so that CommandRegistry::registerCommand() refuses it rather than run a command
    /// with the wrong schema.
    CommandDescriptor build() const;

    /// Registers the command in \a registry. Fails, with errorString() telling why, when the
    /// builder is invalid or the registry refuses the descriptor (see
    /// CommandRegistry::registerCommand()).
    [[nodiscard]] bool registerIn(CommandRegistry &registry);

private:
    std::unique_ptr<CommandBuilderPrivate> d;
};

} // namespace CommandBridge
