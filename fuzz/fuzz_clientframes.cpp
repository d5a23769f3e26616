// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// libFuzzer target over ClientFrameGuard, which follows every byte a WebSocket client sends before
// QWebSocket reads it. The first byte picks how the stream is cut into reads, the rest is the
// stream. A plain second parser says what must come out: the same bytes up to the first unmasked
// frame, with only the opcode of a fragmented text message's first frame turned into binary,
// however the reads are cut.

#include "clientframeguard_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QtGlobal>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace CommandBridge;

namespace {

[[noreturn]] void fail(const char *what)
{
    qFatal("fuzz_clientframes: %s", what);
    std::abort(); // qFatal is not declared noreturn in Qt 6.4
}

/// What the guard must do with the whole stream at once.
struct Expected
{
    QByteArray passed;
    bool failed = false;
    bool fragmentedText = false;
};

Expected expect(const QByteArray &stream)
{
    Expected expected;
    QByteArray bytes = stream;
    qsizetype at = 0;
    while (at < bytes.size()) {
        const auto first = quint8(bytes.at(at));
        const quint8 opcode = first & 0x0F;
        if (opcode == 0x1 || opcode == 0x2) {
            expected.fragmentedText = opcode == 0x1 && !(first & 0x80);
            if (expected.fragmentedText)
                bytes[at] = char((first & 0xF0) | 0x2);
        }
        if (at + 1 >= bytes.size())
            break;
        const auto second = quint8(bytes.at(at + 1));
        if (!(second & 0x80)) {
            expected.failed = true;
            bytes.truncate(at);
            break;
        }
        const quint8 length7 = second & 0x7F;
        const qsizetype extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        if (at + 2 + extended > bytes.size())
            break;
        quint64 length = length7 < 126 ? length7 : 0;
        for (qsizetype i = 0; i < extended; ++i)
            length = (length << 8) | quint8(bytes.at(at + 2 + i));
        const quint64 left = quint64(bytes.size() - at);
        const quint64 frameSize = 2 + quint64(extended) + 4 + length;
        if (length > left || frameSize > left)
            break;
        at += qsizetype(frameSize);
    }
    expected.passed = bytes;
    return expected;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype chunk = 1 + data[0] % 32;
    const QByteArray stream(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const Expected expected = expect(stream);

    ClientFrameGuard whole;
    QByteArray bytes = stream;
    const qsizetype passed = whole.pass(bytes.data(), bytes.size());
    if (passed < 0 || passed > bytes.size())
        fail("pass() hands on more than it was given");
    if (bytes.left(passed) != expected.passed)
        fail("the stream passed whole differs from what the frames call for");
    if (whole.hasFailed() != expected.failed)
        fail("an unmasked frame was missed, or a masked one refused");
    if (whole.isFragmentedText() != expected.fragmentedText)
        fail("the last data message is reported as the wrong kind");

    ClientFrameGuard chunked;
    QByteArray cut = stream;
    QByteArray handedOn;
    for (qsizetype at = 0; at < cut.size(); at += chunk) {
        const qsizetype size = std::min(chunk, cut.size() - at);
        const qsizetype taken = chunked.pass(cut.data() + at, size);
        if (taken < 0 || taken > size)
            fail("pass() of a read hands on more than it was given");
        if (chunked.hasFailed() && taken != size &&
            handedOn.size() + taken < expected.passed.size())
            fail("a read stopped before the unmasked frame");
        handedOn += cut.mid(at, taken);
    }
    // The first byte of an unmasked frame's header may have gone in the read before.
    const bool extraFirstByte = expected.failed && handedOn.size() == expected.passed.size() + 1;
    if (!extraFirstByte && handedOn != expected.passed)
        fail("cutting the stream into reads changed what was handed on");
    if (extraFirstByte && !handedOn.startsWith(expected.passed))
        fail("cutting the stream into reads changed what was handed on");
    if (chunked.hasFailed() != whole.hasFailed() ||
        chunked.isFragmentedText() != whole.isFragmentedText())
        fail("cutting the stream into reads changed the verdict");
    return 0;
}
