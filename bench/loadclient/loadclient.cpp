// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-loadclient: a single-threaded, non-blocking WebSocket load generator (epoll, raw sockets).
// It is deliberately free of Qt so that the client costs far less per message than any server
// under test, and the measurement shows the server rather than the client.
//
// Modes (see --help): rt (round trips with a window of requests in flight), progress (burst
// commands streaming progress), connect (handshake rate and server memory per idle connection),
// fanout (events of one `broadcast` delivered to every subscribed connection).
// The result is one JSON line on stdout; human-readable text goes to stderr.

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

Clock::time_point after(Clock::time_point from, double seconds)
{
    return from +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

enum class Mode { RoundTrip, Progress, Connect, Fanout };

struct Options
{
    Mode mode = Mode::RoundTrip;
    std::string host = "127.0.0.1";
    int port = 0;
    std::string path = "/ws";
    int connections = 1;
    int window = 1;
    int idle = 0;
    int count = 1000;
    double duration = 5;
    double warmup = 1;
    double hold = 0;
    int serverPid = 0;
    // Below the listen backlog of Qt servers (50): overflowing it costs 1 s SYN retransmits.
    int concurrency = 32;
    /// rt: the command each request runs, and its args (a JSON object).
    std::string command = "echo";
    std::string args = R"({"text":"hello"})";
    double timeout = 0; // 0: derived from the other durations
    bool quickAck = true;
};

const char usage[] =
    "usage: cb-loadclient --port PORT [options]\n"
    "  --mode rt|progress|connect|fanout  workload (default rt)\n"
    "  --host HOST --path PATH      server address (default 127.0.0.1, /ws)\n"
    "  --connections N              active connections (connect mode: connections to open)\n"
    "  --window W                   rt: requests in flight per connection (default 1)\n"
    "  --command NAME --args JSON   rt: each request's command and args (default: echo)\n"
    "  --count N                    progress: progress messages per burst (default 1000);\n"
    "                               fanout: notices of the measured broadcast, after a warm-up\n"
    "                               broadcast of N/10 (at least 1)\n"
    "  --idle K                     rt/progress: K extra idle connections held open meanwhile\n"
    "  --duration S --warmup S      measured seconds (default 5) after warmup seconds (default 1)\n"
    "  --server-pid PID             connect: measure the server's VmRSS per idle connection\n"
    "  --hold S                     connect: keep the connections open S seconds before closing\n"
    "  --concurrency N              handshakes in flight while connecting (default 32)\n"
    "  --timeout S                  overall time limit (default: the durations + 60)\n"
    "  --delayed-ack                progress, fanout: keep the kernel's delayed ACKs (default: "
    "quick)\n";

std::optional<Options> parseOptions(int argc, char *argv[])
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "--help" || name == "-h")
            return std::nullopt;
        if (name == "--delayed-ack") {
            options.quickAck = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "cb-loadclient: %s needs a value\n", argv[i]);
            return std::nullopt;
        }
        const std::string value = argv[++i];
        char *end = nullptr;
        const double number = std::strtod(value.c_str(), &end);
        const bool numeric = end != value.c_str() && *end == '\0' && number >= 0;
        auto integer = [&](int &field) {
            field = static_cast<int>(number);
            return numeric && number == field;
        };
        auto real = [&](double &field) {
            field = number;
            return numeric;
        };
        bool ok = true;
        if (name == "--mode") {
            if (value == "rt")
                options.mode = Mode::RoundTrip;
            else if (value == "progress")
                options.mode = Mode::Progress;
            else if (value == "connect")
                options.mode = Mode::Connect;
            else if (value == "fanout")
                options.mode = Mode::Fanout;
            else
                ok = false;
        } else if (name == "--command") {
            options.command = value;
            ok = !value.empty() && value.find_first_of("\"\\") == std::string::npos;
        } else if (name == "--args") {
            options.args = value;
            ok = value.size() >= 2 && value.front() == '{' && value.back() == '}';
        } else if (name == "--host") {
            options.host = value;
        } else if (name == "--path") {
            options.path = value;
        } else if (name == "--port") {
            ok = integer(options.port) && options.port > 0 && options.port < 65536;
        } else if (name == "--connections") {
            ok = integer(options.connections) && options.connections > 0;
        } else if (name == "--window") {
            ok = integer(options.window) && options.window > 0;
        } else if (name == "--count") {
            ok = integer(options.count) && options.count > 0;
        } else if (name == "--idle") {
            ok = integer(options.idle);
        } else if (name == "--concurrency") {
            ok = integer(options.concurrency) && options.concurrency > 0;
        } else if (name == "--server-pid") {
            ok = integer(options.serverPid) && options.serverPid > 0;
        } else if (name == "--duration") {
            ok = real(options.duration) && options.duration > 0;
        } else if (name == "--warmup") {
            ok = real(options.warmup);
        } else if (name == "--hold") {
            ok = real(options.hold);
        } else if (name == "--timeout") {
            ok = real(options.timeout) && options.timeout > 0;
        } else {
            std::fprintf(stderr, "cb-loadclient: unknown option %s\n", argv[i - 1]);
            return std::nullopt;
        }
        if (!ok) {
            std::fprintf(stderr, "cb-loadclient: bad value for %s: %s\n", argv[i - 1],
                         value.c_str());
            return std::nullopt;
        }
    }
    if (options.port == 0) {
        std::fprintf(stderr, "cb-loadclient: --port is required\n");
        return std::nullopt;
    }
    options.quickAck =
        options.quickAck && (options.mode == Mode::Progress || options.mode == Mode::Fanout);
    if (options.timeout == 0)
        options.timeout = options.warmup + options.duration + options.hold + 60;
    return options;
}

/// Cheap randomness for masking keys and handshake nonces; not security relevant here.
class XorShift
{
public:
    uint32_t next()
    {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }

private:
    uint32_t state_ = static_cast<uint32_t>(Clock::now().time_since_epoch().count()) | 1u;
};

std::string base64(const unsigned char *data, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < size; i += 3) {
        const uint32_t chunk = (uint32_t(data[i]) << 16) |
                               (i + 1 < size ? uint32_t(data[i + 1]) << 8 : 0) |
                               (i + 2 < size ? uint32_t(data[i + 2]) : 0);
        out += alphabet[(chunk >> 18) & 63];
        out += alphabet[(chunk >> 12) & 63];
        out += i + 1 < size ? alphabet[(chunk >> 6) & 63] : '=';
        out += i + 2 < size ? alphabet[chunk & 63] : '=';
    }
    return out;
}

/// Appends one masked client frame (RFC 6455 section 5.2).
void appendFrame(std::string &out, uint8_t opcode, std::string_view payload, uint32_t mask)
{
    const uint64_t size = payload.size();
    out += char(0x80 | opcode);
    if (size < 126) {
        out += char(0x80 | size);
    } else if (size <= 0xffff) {
        out += char(0x80 | 126);
        out += char(size >> 8);
        out += char(size & 0xff);
    } else {
        out += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += char((size >> shift) & 0xff);
    }
    const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    out.append(key, 4);
    const size_t start = out.size();
    out.append(payload);
    for (size_t i = 0; i < size; ++i)
        out[start + i] ^= key[i & 3];
}

/// The integer after `key` (e.g. "\"id\":"), if there is one: string ids are not ours.
std::optional<int64_t> findInteger(std::string_view text, std::string_view key)
{
    size_t pos = text.find(key);
    if (pos == std::string_view::npos)
        return std::nullopt;
    pos += key.size();
    while (pos < text.size() && text[pos] == ' ')
        ++pos;
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (error != std::errc())
        return std::nullopt;
    return value;
}

/// The string value after `key` (which ends with the opening quote); no escapes are expected in
/// the values read here (types and decimal numbers).
std::string_view findString(std::string_view text, std::string_view key)
{
    size_t pos = text.find(key);
    if (pos == std::string_view::npos)
        return {};
    pos += key.size();
    const size_t end = text.find('"', pos);
    return end == std::string_view::npos ? std::string_view() : text.substr(pos, end - pos);
}

long readVmRssKiB(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

double percentile(std::vector<uint32_t> &values, double fraction)
{
    if (values.empty())
        return 0;
    const size_t index = std::min(values.size() - 1, size_t(fraction * double(values.size())));
    std::nth_element(values.begin(), values.begin() + long(index), values.end());
    return values[index];
}

enum class State { Connecting, Handshaking, Open, Closed };

struct Connection
{
    uint32_t index = 0; // in LoadClient::connections_, the epoll user data
    int fd = -1;
    State state = State::Connecting;
    bool idle = false;
    uint32_t events = 0;
    std::string in;
    size_t inPos = 0;
    std::string out;
    size_t outPos = 0;
    std::string fragments;
    bool gotMessage = false;
    int64_t nextId = 1;
    // rt: ids in flight with their send times; few and mostly answered in order.
    std::vector<std::pair<int64_t, Clock::time_point>> inFlight;
    // progress: the one burst in flight.
    bool burstActive = false;
    int64_t burstId = 0;
    int burstSeen = 0;
    bool burstBad = false;
    // fanout: subscribed yet, the last `seq` seen, events of the measured broadcast.
    bool subscribed = false;
    int64_t lastSeq = 0;
    long fanoutEvents = 0;
};

class LoadClient
{
public:
    explicit LoadClient(const Options &options)
        : options_(options)
        , epoll_(::epoll_create1(EPOLL_CLOEXEC))
        , deadline_(after(Clock::now(), options.timeout))
    {
        address_.sin_family = AF_INET;
        address_.sin_port = htons(uint16_t(options.port));
    }
    ~LoadClient()
    {
        for (const auto &connection : connections_) {
            if (connection->fd >= 0)
                closeAbruptly(*connection);
        }
        ::close(epoll_);
    }

    int run()
    {
        if (!resolve())
            return finish();
        switch (options_.mode) {
        case Mode::RoundTrip:
        case Mode::Progress:
            if (openConnections(options_.idle, true) &&
                openConnections(options_.connections, false))
                measure();
            break;
        case Mode::Connect:
            connectAndWeigh();
            break;
        case Mode::Fanout:
            if (openConnections(options_.connections, false))
                fanOut();
            break;
        }
        return finish();
    }

private:
    bool resolve()
    {
        addrinfo hints = {};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo *result = nullptr;
        if (::getaddrinfo(options_.host.c_str(), nullptr, &hints, &result) != 0 || !result) {
            error(nullptr, "cannot resolve " + options_.host);
            return false;
        }
        address_.sin_addr = reinterpret_cast<sockaddr_in *>(result->ai_addr)->sin_addr;
        ::freeaddrinfo(result);
        return true;
    }

    void error(Connection *connection, const std::string &what)
    {
        if (++errors_ <= 10)
            std::fprintf(stderr, "cb-loadclient: error: %s\n", what.c_str());
        if (connection && connection->fd >= 0) {
            if (connection->state == State::Connecting || connection->state == State::Handshaking)
                --handshaking_;
            closeAbruptly(*connection);
        }
    }

    /// Closes with an RST instead of leaving TIME_WAIT behind: a full comparison opens well over
    /// 100000 connections from one address, more than the ephemeral port range.
    void closeAbruptly(Connection &connection)
    {
        const linger abort = {1, 0};
        ::setsockopt(connection.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(connection.fd);
        connection.fd = -1;
        connection.state = State::Closed;
    }

    bool expired()
    {
        if (Clock::now() < deadline_)
            return false;
        error(nullptr, "overall timeout (--timeout) reached");
        return true;
    }

    void startConnection(bool idle)
    {
        auto connection = std::make_unique<Connection>();
        connection->idle = idle;
        connection->index = uint32_t(connections_.size());
        Connection &c = *connection;
        connections_.push_back(std::move(connection));
        ++handshaking_;
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            c.state = State::Closed;
            --handshaking_;
            error(nullptr, std::string("socket: ") + std::strerror(errno));
            return;
        }
        const int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(c.fd, reinterpret_cast<const sockaddr *>(&address_), sizeof address_) != 0 &&
            errno != EINPROGRESS) {
            error(&c, std::string("connect: ") + std::strerror(errno));
            return;
        }
        c.events = EPOLLIN | EPOLLOUT;
        epoll_event event = {};
        event.events = c.events;
        event.data.u32 = c.index;
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
    }

    void onConnected(Connection &c)
    {
        int socketError = 0;
        socklen_t length = sizeof socketError;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &socketError, &length);
        if (socketError != 0) {
            error(&c, std::string("connect: ") + std::strerror(socketError));
            return;
        }
        unsigned char nonce[16];
        for (size_t i = 0; i < sizeof nonce; i += 4) {
            const uint32_t value = random_.next();
            std::memcpy(nonce + i, &value, 4);
        }
        c.state = State::Handshaking;
        c.out += "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.host + ":" +
                 std::to_string(options_.port) +
                 "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                 base64(nonce, sizeof nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    void onReadable(Connection &c)
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                if (options_.quickAck) {
                    // Loopback's 64 KiB MSS turns Nagle (servers without TCP_NODELAY) plus our
                    // delayed ACKs into 40 ms stalls after every multi-write burst; a reader that
                    // keeps up should not add those. Linux drops quick-ACK mode on its own, so it
                    // is set again after each read. In rt mode our requests carry the ACKs.
                    const int one = 1;
                    ::setsockopt(c.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
                }
                c.in.append(buffer, size_t(n));
                if (size_t(n) < sizeof buffer)
                    break;
            } else if (n == 0) {
                error(&c, "server closed the connection");
                return;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno != EINTR) {
                error(&c, std::string("recv: ") + std::strerror(errno));
                return;
            }
        }
        if (c.state == State::Handshaking) {
            const size_t end = c.in.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (c.in.size() > 16384)
                    error(&c, "handshake response too long");
                return;
            }
            if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
                error(&c, "handshake refused: " + c.in.substr(0, c.in.find('\r')));
                return;
            }
            c.in.erase(0, end + 4);
            c.state = State::Open;
            --handshaking_;
            ++open_;
        }
        readFrames(c);
    }

    void readFrames(Connection &c)
    {
        const auto *data = reinterpret_cast<const unsigned char *>(c.in.data());
        const size_t size = c.in.size();
        size_t pos = c.inPos;
        while (size - pos >= 2) {
            const bool fin = data[pos] & 0x80;
            const uint8_t opcode = data[pos] & 0x0f;
            const bool masked = data[pos + 1] & 0x80;
            uint64_t length = data[pos + 1] & 0x7f;
            size_t header = 2;
            if (length == 126) {
                if (size - pos < 4)
                    break;
                length = (uint64_t(data[pos + 2]) << 8) | data[pos + 3];
                header = 4;
            } else if (length == 127) {
                if (size - pos < 10)
                    break;
                length = 0;
                for (size_t i = 0; i < 8; ++i)
                    length = (length << 8) | data[pos + 2 + i];
                header = 10;
            }
            if (length > (uint64_t(1) << 30)) {
                error(&c, "frame larger than 1 GiB");
                return;
            }
            const size_t keyAt = pos + header;
            if (masked)
                header += 4;
            if (size - pos < header + length)
                break;
            std::string_view payload(c.in.data() + pos + header, size_t(length));
            std::string unmasked;
            if (masked) { // servers must not mask, but the payload is still readable
                unmasked.assign(payload);
                for (size_t i = 0; i < unmasked.size(); ++i)
                    unmasked[i] = char(unmasked[i] ^ data[keyAt + (i & 3)]);
                payload = unmasked;
            }
            pos += header + size_t(length);
            if (!onFrame(c, fin, opcode, payload))
                return;
        }
        if (pos == size) {
            c.in.clear();
            c.inPos = 0;
        } else if (pos > 65536) {
            c.in.erase(0, pos);
            c.inPos = 0;
        } else {
            c.inPos = pos;
        }
    }

    /// Returns false when the connection is gone.
    bool onFrame(Connection &c, bool fin, uint8_t opcode, std::string_view payload)
    {
        switch (opcode) {
        case 0x0: // continuation
            c.fragments.append(payload);
            if (fin) {
                onMessage(c, c.fragments);
                c.fragments.clear();
            }
            return true;
        case 0x1: // text
        case 0x2: // binary
            if (fin)
                onMessage(c, payload);
            else
                c.fragments.assign(payload);
            return true;
        case 0x8:
            error(&c,
                  "server sent close" +
                      (payload.size() >= 2 ? " code " + std::to_string((uint8_t(payload[0]) << 8) |
                                                                       uint8_t(payload[1]))
                                           : std::string()));
            return false;
        case 0x9:
            appendFrame(c.out, 0xA, payload, random_.next());
            return true;
        case 0xA:
            return true;
        default:
            error(&c, "unknown opcode " + std::to_string(opcode));
            return false;
        }
    }

    void onMessage(Connection &c, std::string_view text)
    {
        c.gotMessage = true;
        if (c.idle)
            return;
        if (options_.mode == Mode::Fanout) {
            onFanoutMessage(c, text);
            return;
        }
        const std::optional<int64_t> id = findInteger(text, "\"id\":");
        if (!id)
            return; // hello and anything else not about a request
        const std::string_view type = findString(text, "\"type\":\"");
        const bool failed =
            type == "command_result" && text.find("\"success\":false") != std::string_view::npos;
        const Clock::time_point now = Clock::now();
        const bool inWindow = now >= measureStart_ && now < measureEnd_;
        if (options_.mode == Mode::RoundTrip) {
            if (type == "command_progress")
                return;
            const auto found =
                std::find_if(c.inFlight.begin(), c.inFlight.end(),
                             [&](const auto &request) { return request.first == *id; });
            if (found == c.inFlight.end())
                return;
            const Clock::time_point sent = found->second;
            c.inFlight.erase(found);
            if (failed) {
                error(nullptr, "command failed: " + std::string(text.substr(0, 300)));
            } else if (inWindow) {
                ++roundTrips_;
                latenciesUs_.push_back(uint32_t(
                    std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count()));
            }
            if (sending_)
                sendEcho(c);
            return;
        }
        if (!c.burstActive || *id != c.burstId)
            return;
        if (type == "command_progress") {
            ++c.burstSeen;
            char expected[16];
            const auto end = std::to_chars(expected, expected + sizeof expected, c.burstSeen).ptr;
            if (findString(text, "\"message\":\"") != std::string_view(expected, end - expected))
                c.burstBad = true;
            if (inWindow)
                ++progressMessages_;
        } else if (type == "command_result") {
            c.burstActive = false;
            ++bursts_;
            if (failed || c.burstBad || c.burstSeen != options_.count) {
                if (++violations_ <= 10)
                    std::fprintf(stderr,
                                 "cb-loadclient: violation: burst %lld got %d progress messages "
                                 "(%s order)%s\n",
                                 static_cast<long long>(c.burstId), c.burstSeen,
                                 c.burstBad ? "wrong" : "right", failed ? ", failed" : "");
            }
            if (sending_)
                sendBurst(c);
        }
    }

    void onFanoutMessage(Connection &c, std::string_view text)
    {
        const std::string_view type = findString(text, "\"type\":\"");
        if (type == "event") {
            const std::optional<int64_t> seq = findInteger(text, "\"seq\":");
            if (!seq || *seq <= c.lastSeq) {
                if (++violations_ <= 10)
                    std::fprintf(stderr, "cb-loadclient: violation: seq %lld after %lld\n",
                                 static_cast<long long>(seq.value_or(-1)),
                                 static_cast<long long>(c.lastSeq));
                return;
            }
            c.lastSeq = *seq;
            if (*seq > warmupNotices_)
                ++c.fanoutEvents;
            if (*seq == warmupNotices_ + options_.count)
                lastEventAt_ = Clock::now();
        } else if (type == "subscribed") {
            c.subscribed = true;
        } else if (type == "command_result") {
            if (text.find("\"success\":true") == std::string_view::npos)
                error(nullptr, "broadcast failed: " + std::string(text.substr(0, 300)));
            ++broadcastsAnswered_;
        } else if (type == "error") {
            error(nullptr, "server error: " + std::string(text.substr(0, 300)));
        }
    }

    void sendText(Connection &c, std::string_view text)
    {
        appendFrame(c.out, 0x1, text, random_.next());
        flush(c);
    }

    void sendBroadcast(Connection &c, int64_t repeat)
    {
        char text[160];
        const int length = std::snprintf(
            text, sizeof text,
            R"({"type":"command","id":%lld,"command":"broadcast","args":{"text":"hello","repeat":%lld}})",
            static_cast<long long>(c.nextId++), static_cast<long long>(repeat));
        sendText(c, std::string_view(text, size_t(length)));
    }

    /// Polls until \a done or the overall timeout; false (and an error) on timeout.
    template <typename Done> bool pollUntil(Done done, const char *what)
    {
        while (!done()) {
            if (errors_ > 0)
                return false;
            if (expired()) {
                error(nullptr, std::string("timed out waiting for ") + what);
                return false;
            }
            poll(std::min(100, millisecondsUntil(deadline_)));
        }
        return errors_ == 0;
    }

    /// Subscribes every connection to `notice`, has the first one broadcast a warm-up and then the
    /// measured burst, and times the measured one from sending it until every connection has the
    /// last notice (which coalescing never drops) and its result arrived.
    void fanOut()
    {
        for (const auto &c : connections_) {
            c->nextId = 2;
            sendText(*c, R"({"type":"subscribe","id":1,"events":["notice"]})");
        }
        auto allOpen = [&](auto test) {
            return std::all_of(connections_.begin(), connections_.end(),
                               [&](const auto &c) { return c->state == State::Open && test(*c); });
        };
        if (!pollUntil([&] { return allOpen([](const Connection &c) { return c.subscribed; }); },
                       "subscribed"))
            return;
        Connection &trigger = *connections_.front();
        warmupNotices_ = std::max(1, options_.count / 10);
        sendBroadcast(trigger, warmupNotices_);
        if (!pollUntil(
                [&] {
                    return broadcastsAnswered_ == 1 && allOpen([&](const Connection &c) {
                               return c.lastSeq == warmupNotices_;
                           });
                },
                "the warm-up broadcast"))
            return;
        const int64_t lastSeq = warmupNotices_ + options_.count;
        const Clock::time_point start = Clock::now();
        sendBroadcast(trigger, options_.count);
        if (!pollUntil(
                [&] {
                    return broadcastsAnswered_ == 2 &&
                           allOpen([&](const Connection &c) { return c.lastSeq == lastSeq; });
                },
                "every notice"))
            return;
        fanoutSeconds_ = secondsBetween(start, lastEventAt_);
        for (const auto &c : connections_)
            fanoutEvents_ += c->fanoutEvents;
    }

    void sendEcho(Connection &c)
    {
        const int64_t id = c.nextId++;
        // One buffer for every request: no allocation per request once it is large enough.
        request_.assign(R"({"type":"command","id":)");
        request_ += std::to_string(id);
        request_ += R"(,"command":")";
        request_ += options_.command;
        request_ += R"(","args":)";
        request_ += options_.args;
        request_ += '}';
        c.inFlight.emplace_back(id, Clock::now());
        appendFrame(c.out, 0x1, request_, random_.next());
    }

    void sendBurst(Connection &c)
    {
        c.burstId = c.nextId++;
        c.burstActive = true;
        c.burstSeen = 0;
        c.burstBad = false;
        char text[128];
        const int length = std::snprintf(
            text, sizeof text, R"({"type":"command","id":%lld,"command":"burst","args":{"n":%d}})",
            static_cast<long long>(c.burstId), options_.count);
        appendFrame(c.out, 0x1, std::string_view(text, size_t(length)), random_.next());
    }

    void flush(Connection &c)
    {
        while (c.outPos < c.out.size()) {
            const ssize_t n =
                ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
            if (n > 0) {
                c.outPos += size_t(n);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno != EINTR) {
                error(&c, std::string("send: ") + std::strerror(errno));
                return;
            }
        }
        if (c.outPos == c.out.size()) {
            c.out.clear();
            c.outPos = 0;
        }
        const uint32_t wanted = EPOLLIN | (c.out.empty() ? 0u : uint32_t(EPOLLOUT));
        if (wanted != c.events) {
            c.events = wanted;
            epoll_event event = {};
            event.events = wanted;
            event.data.u32 = c.index;
            ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
        }
    }

    /// Waits up to timeoutMs for socket events and handles them.
    void poll(int timeoutMs)
    {
        epoll_event events[512];
        const int n = ::epoll_wait(epoll_, events, 512, std::max(timeoutMs, 0));
        for (int i = 0; i < n; ++i) {
            Connection &c = *connections_[events[i].data.u32];
            if (c.state == State::Closed)
                continue;
            if (c.state == State::Connecting) {
                onConnected(c);
            } else if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                onReadable(c);
            }
            if (c.state != State::Closed)
                flush(c);
        }
    }

    int millisecondsUntil(Clock::time_point when) const
    {
        return int(std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now())
                       .count()) +
               1;
    }

    /// Opens n more connections, at most --concurrency handshakes at a time.
    bool openConnections(int n, bool idle)
    {
        const int target = open_ + n;
        int started = 0;
        while (open_ < target) {
            while (started < n && handshaking_ < options_.concurrency) {
                startConnection(idle);
                ++started;
            }
            if (errors_ > 0 || expired())
                return false;
            poll(10);
        }
        return errors_ == 0;
    }

    void measure()
    {
        sending_ = true;
        for (const auto &c : connections_) {
            if (c->idle)
                continue;
            if (options_.mode == Mode::RoundTrip) {
                for (int i = 0; i < options_.window; ++i)
                    sendEcho(*c);
            } else {
                sendBurst(*c);
            }
            flush(*c);
        }
        measureStart_ = after(Clock::now(), options_.warmup);
        measureEnd_ = after(measureStart_, options_.duration);
        while (Clock::now() < measureEnd_ && errors_ == 0 && !expired())
            poll(millisecondsUntil(measureEnd_));
        sending_ = false;
        if (options_.mode != Mode::Progress)
            return;
        // Let the bursts in flight finish, so that each one is checked completely.
        const Clock::time_point drainEnd = after(Clock::now(), 10);
        auto active = [&] {
            return std::count_if(connections_.begin(), connections_.end(), [](const auto &c) {
                return c->state == State::Open && c->burstActive;
            });
        };
        while (active() > 0 && Clock::now() < drainEnd && !expired())
            poll(millisecondsUntil(drainEnd));
        if (const long unfinished = active(); unfinished > 0) {
            violations_ += unfinished;
            std::fprintf(stderr, "cb-loadclient: violation: %ld bursts unfinished after 10 s\n",
                         unfinished);
        }
    }

    void connectAndWeigh()
    {
        const long before = options_.serverPid ? readVmRssKiB(options_.serverPid) : -1;
        const Clock::time_point start = Clock::now();
        if (!openConnections(options_.connections, true))
            return;
        handshakesPerSecond_ = options_.connections / secondsBetween(start, Clock::now());
        // A server that greets (hello) has finished setting the connection up once it has.
        const Clock::time_point greetingEnd = after(Clock::now(), 1);
        auto allGreeted = [&] {
            return std::all_of(connections_.begin(), connections_.end(),
                               [](const auto &c) { return c->gotMessage; });
        };
        while (!allGreeted() && Clock::now() < greetingEnd && errors_ == 0)
            poll(millisecondsUntil(greetingEnd));
        if (before >= 0) {
            const long afterOpen = readVmRssKiB(options_.serverPid);
            if (afterOpen < 0)
                error(nullptr, "cannot read VmRSS of pid " + std::to_string(options_.serverPid));
            else
                kibPerConnection_ = double(afterOpen - before) / options_.connections;
            std::fprintf(stderr, "cb-loadclient: server VmRSS %ld KiB before, %ld KiB after\n",
                         before, afterOpen);
        }
        const Clock::time_point holdEnd = after(Clock::now(), options_.hold);
        while (Clock::now() < holdEnd && errors_ == 0 && !expired())
            poll(millisecondsUntil(holdEnd));
    }

    int finish()
    {
        const char *modes[] = {"rt", "progress", "connect", "fanout"};
        const bool rt = options_.mode == Mode::RoundTrip;
        const bool progress = options_.mode == Mode::Progress;
        const bool connect = options_.mode == Mode::Connect;
        const bool fanout = options_.mode == Mode::Fanout;
        auto number = [](bool present, double value) {
            char text[64];
            std::snprintf(text, sizeof text, "%.1f", value);
            return present ? std::string(text) : std::string("null");
        };
        const double p50 = percentile(latenciesUs_, 0.50);
        const double p99 = percentile(latenciesUs_, 0.99);
        const bool measured = !connect && errors_ == 0;
        const double expected = double(options_.count) * options_.connections;
        const bool fanned = fanout && measured && fanoutSeconds_ > 0;
        std::printf(
            "{\"mode\":\"%s\",\"connections\":%d,\"window\":%s,\"idle\":%d,\"rps\":%s,"
            "\"p50_us\":%s,\"p99_us\":%s,\"msgs_per_s\":%s,\"violations\":%s,"
            "\"bursts\":%s,\"handshakes_per_s\":%s,\"kib_per_conn\":%s,\"events_per_s\":%s,"
            "\"events\":%s,\"events_expected\":%s,\"fanout_s\":%s,\"errors\":%ld}\n",
            modes[int(options_.mode)], options_.connections,
            rt ? std::to_string(options_.window).c_str() : "null", connect ? 0 : options_.idle,
            number(rt && measured, roundTrips_ / options_.duration).c_str(),
            number(rt && measured, p50).c_str(), number(rt && measured, p99).c_str(),
            number(progress && measured, progressMessages_ / options_.duration).c_str(),
            progress || fanout ? std::to_string(violations_).c_str() : "null",
            progress ? std::to_string(bursts_).c_str() : "null",
            number(connect && handshakesPerSecond_ > 0, handshakesPerSecond_).c_str(),
            number(kibPerConnection_.has_value(), kibPerConnection_.value_or(0)).c_str(),
            number(fanned, fanoutEvents_ / std::max(fanoutSeconds_, 1e-9)).c_str(),
            fanout ? std::to_string(fanoutEvents_).c_str() : "null",
            number(fanout, expected).c_str(), number(fanned, fanoutSeconds_).c_str(), errors_);
        std::fflush(stdout);
        if (rt)
            std::fprintf(stderr, "rt %dx%d idle %d: %.0f round trips/s, p50 %.0f us, p99 %.0f us\n",
                         options_.connections, options_.window, options_.idle,
                         roundTrips_ / options_.duration, p50, p99);
        else if (progress)
            std::fprintf(stderr,
                         "progress %d conns, n=%d: %.0f msgs/s, %ld bursts, %ld violations\n",
                         options_.connections, options_.count,
                         progressMessages_ / options_.duration, bursts_, violations_);
        else if (fanout)
            std::fprintf(stderr,
                         "fanout %d subscribers x %d notices: %ld of %.0f events in %.3f s, "
                         "%.0f events/s, %ld violations\n",
                         options_.connections, options_.count, fanoutEvents_, expected,
                         fanoutSeconds_, fanoutEvents_ / std::max(fanoutSeconds_, 1e-9),
                         violations_);
        else
            std::fprintf(stderr, "connect %d: %.0f handshakes/s, %.2f KiB per connection\n",
                         options_.connections, handshakesPerSecond_, kibPerConnection_.value_or(0));
        if (errors_ > 0)
            std::fprintf(stderr, "cb-loadclient: %ld errors\n", errors_);
        return errors_ == 0 && violations_ == 0 ? 0 : 1;
    }

    const Options options_;
    const int epoll_;
    const Clock::time_point deadline_;
    sockaddr_in address_ = {};
    XorShift random_;
    std::string request_;
    std::vector<std::unique_ptr<Connection>> connections_;
    int handshaking_ = 0;
    int open_ = 0;
    bool sending_ = false;
    Clock::time_point measureStart_ = Clock::time_point::max();
    Clock::time_point measureEnd_ = Clock::time_point::max();
    long errors_ = 0;
    long roundTrips_ = 0;
    std::vector<uint32_t> latenciesUs_;
    long progressMessages_ = 0;
    long bursts_ = 0;
    long violations_ = 0;
    double handshakesPerSecond_ = 0;
    std::optional<double> kibPerConnection_;
    int warmupNotices_ = 0;
    int broadcastsAnswered_ = 0;
    Clock::time_point lastEventAt_;
    double fanoutSeconds_ = 0;
    long fanoutEvents_ = 0;
};

/// Thousands of idle connections need as many descriptors; the soft limit is often 1024.
void raiseDescriptorLimit(const Options &options)
{
    rlimit limit = {};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    const rlim_t needed = rlim_t(options.idle) + rlim_t(options.connections) + 16;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
        std::fprintf(stderr,
                     "cb-loadclient: warning: the hard RLIMIT_NOFILE is %llu, below the %llu "
                     "descriptors needed; raise it (ulimit -Hn, limits.conf) or connections "
                     "will fail\n",
                     static_cast<unsigned long long>(limit.rlim_max),
                     static_cast<unsigned long long>(needed));
}

} // namespace

int main(int argc, char *argv[])
{
    const std::optional<Options> options = parseOptions(argc, argv);
    if (!options) {
        std::fputs(usage, stderr);
        return 2;
    }
    raiseDescriptorLimit(*options);
    return LoadClient(*options).run();
}
