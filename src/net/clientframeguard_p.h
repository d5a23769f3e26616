// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QtGlobal>

namespace CommandBridge {

/// Follows the frames of a WebSocket client, as their bytes are handed to QWebSocket, and does
/// the two things of RFC 6455 that QWebSocket (6.4 to 6.8 at least) leaves undone or does wrong:
///
/// - A frame without a mask stops the stream (section 5.1: the server must close): nothing from
///   its header on is handed on.
/// - A text message sent in several frames is handed on as a binary one: its first frame's
///   opcode is rewritten in place. QWebSocket decodes each frame of a text message as UTF-8 on
///   its own, so a character split between two frames, which section 5.6 allows, would close the
///   connection with 1007. The receiver of the binary message asks isFragmentedText() and
///   validates the message whole.
///
/// Everything else (reserved bits and opcodes, length encodings, control frames, the order of
/// continuations, the frame and message size limits) QWebSocket checks on the same bytes, as
/// before. Following costs a few comparisons per frame; payloads are only counted.
///
/// A plain value: no Qt objects, no allocation. Used by one thread at a time.
class ClientFrameGuard
{
public:
    /// Follows the next \a size bytes of the stream at \a data, rewriting them where needed.
    /// Returns how many may be handed on: all of them, or those before an unmasked frame.
    qsizetype pass(char *data, qsizetype size);

    /// An unmasked frame came: no further byte may be handed on.
    bool hasFailed() const { return m_state == State::Failed; }
    /// Whether the data message being handed on, or the one handed on last, was sent as text in
    /// several frames and is handed on as binary.
    bool isFragmentedText() const { return m_fragmentedText; }

private:
    enum class State : quint8 { Opcode, Length, ExtendedLength, MaskKey, Payload, Failed };

    /// Payload bytes of the current frame still to come.
    quint64 m_payloadLeft = 0;
    /// Extended length or masking key bytes still to come.
    quint8 m_headerLeft = 0;
    State m_state = State::Opcode;
    bool m_fragmentedText = false;
};

} // namespace CommandBridge
