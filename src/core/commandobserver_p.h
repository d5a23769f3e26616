#pragma once

#include <CommandBridge/commandcontext.h>

namespace CommandBridge {

/// How a front end inside the library follows the commands it starts, called on the context's
/// thread right before progressed() and finished() are emitted. The WebSocket front end runs a
/// command for every message, and two signal connections made and torn down per command cost it
/// about a tenth of its throughput; this costs a pointer.
class CommandObserver
{
public:
    virtual void commandProgressed(CommandContext *context, const CommandProgress &progress) = 0;
    virtual void commandFinished(CommandContext *context, const CommandResult &result) = 0;

    /// Set before start(); the observer must outlive the command's last report (its finish).
    static void observe(CommandContext *context, CommandObserver *observer)
    {
        context->m_observer = observer;
    }

protected:
    ~CommandObserver() = default;
};

} // namespace CommandBridge
