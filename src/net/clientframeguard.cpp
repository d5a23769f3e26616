// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "clientframeguard_p.h"

#include <algorithm>

namespace CommandBridge {
namespace {

// RFC 6455 section 5.2.
constexpr quint8 finalBit = 0x80;
constexpr quint8 opcodeBits = 0x0F;
constexpr quint8 opcodeText = 0x1;
constexpr quint8 opcodeBinary = 0x2;
constexpr quint8 maskBit = 0x80;
constexpr quint8 lengthBits = 0x7F;
constexpr quint8 length16 = 126;
constexpr quint8 length64 = 127;
constexpr quint8 maskKeyBytes = 4;

} // namespace

qsizetype ClientFrameGuard::pass(char *data, qsizetype size)
{
    // Where the header of the frame being read starts in data (0 when it began in an earlier
    // call): an unmasked frame is cut off there.
    qsizetype frameStart = 0;
    qsizetype at = 0;
    while (at < size) {
        switch (m_state) {
        case State::Opcode: {
            const auto byte = quint8(data[at]);
            const quint8 opcode = byte & opcodeBits;
            // Text and binary open a data message; continuation and control frames do not.
            if (opcode == opcodeText || opcode == opcodeBinary) {
                m_fragmentedText = opcode == opcodeText && !(byte & finalBit);
                if (m_fragmentedText)
                    data[at] = char((byte & ~opcodeBits) | opcodeBinary);
            }
            frameStart = at++;
            m_state = State::Length;
            break;
        }
        case State::Length: {
            const auto byte = quint8(data[at]);
            if (!(byte & maskBit)) {
                m_state = State::Failed;
                return frameStart;
            }
            ++at;
            const quint8 length = byte & lengthBits;
            m_payloadLeft = length < length16 ? length : 0;
            m_headerLeft = length == length16 ? 2 : length == length64 ? 8 : maskKeyBytes;
            m_state = length < length16 ? State::MaskKey : State::ExtendedLength;
            break;
        }
        case State::ExtendedLength:
            m_payloadLeft = (m_payloadLeft << 8) | quint8(data[at++]);
            if (--m_headerLeft == 0) {
                m_headerLeft = maskKeyBytes;
                m_state = State::MaskKey;
            }
            break;
        case State::MaskKey: {
            const auto taken = std::min<qsizetype>(m_headerLeft, size - at);
            at += taken;
            m_headerLeft -= quint8(taken);
            if (m_headerLeft == 0)
                m_state = m_payloadLeft == 0 ? State::Opcode : State::Payload;
            break;
        }
        case State::Payload: {
            const auto taken = qsizetype(std::min<quint64>(m_payloadLeft, quint64(size - at)));
            at += taken;
            m_payloadLeft -= quint64(taken);
            if (m_payloadLeft == 0)
                m_state = State::Opcode;
            break;
        }
        case State::Failed:
            return 0;
        }
    }
    return size;
}

} // namespace CommandBridge
