// virtual-piv-card: a YubiKey 5 PIV applet behind pcscd's vpcd reader driver, for tests.
//
//   virtual-piv-card init  --state FILE [--serial N] [--firmware 5.4.3] [--attestation-key PEM
//   --attestation-cert PEM] virtual-piv-card serve --state FILE --port N [--host 127.0.0.1]
//
// `serve` connects to vpcd (which listens) and answers its frames: a 2-byte big-endian length,
// then either a 1-byte control (0 power off, 1 power on, 2 reset, 4 get ATR) or a command APDU.
// Touch: with VIRTUAL_PIV_TOUCH=manual the card creates touch-pending next to the state file and
// waits VIRTUAL_PIV_TOUCH_TIMEOUT seconds (default 15) for touch-approved to appear; otherwise
// every touch is given at once.

#include "applet.hpp"
#include "crypto.hpp"
#include "state.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>

namespace {

using vpiv::Bytes;

// YubiKey 5 (USB) ATR, as libykpiv's YKPIV_ATR_YK5.
const Bytes yubikey5_atr{0x3b, 0xfd, 0x13, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x15, 0x80, 0x73, 0xc0,
                         0x21, 0xc0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4b, 0x65, 0x79, 0x40};

void log_line(const char* fmt, const std::string& text) {
    std::fprintf(stderr, fmt, text.c_str());
    std::fflush(stderr);
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

bool exists(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}

enum class TouchMode { automatic, manual };

// Touches are files in the state dir: the card creates touch-pending and waits for
// touch-approved (written by tests/virtual-piv/touch), so a test can see when a prompt is due.
class FileTouchSensor final : public vpiv::TouchSensor {
public:
    FileTouchSensor(std::string dir, TouchMode mode, std::chrono::milliseconds timeout)
        : m_pending(dir + "/touch-pending"), m_approved(dir + "/touch-approved"), m_mode(mode),
          m_timeout(timeout) {}

    vpiv::TouchResult wait_for_touch(std::uint8_t slot) override {
        const std::string slot_hex = vpiv::to_hex(Bytes{slot});
        if (m_mode == TouchMode::automatic) {
            log_line("touch: slot %s given automatically\n", slot_hex);
            return vpiv::TouchResult::touched;
        }
        ::unlink(m_approved.c_str());
        if (FILE* f = std::fopen(m_pending.c_str(), "w")) {
            std::fprintf(f, "%02x\n", slot);
            std::fclose(f);
        }
        log_line("touch: waiting for slot %s\n", slot_hex);
        auto deadline = std::chrono::steady_clock::now() + m_timeout;
        vpiv::TouchResult result = vpiv::TouchResult::timed_out;
        while (std::chrono::steady_clock::now() < deadline) {
            if (exists(m_approved)) {
                result = vpiv::TouchResult::touched;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::unlink(m_pending.c_str());
        ::unlink(m_approved.c_str());
        log_line("touch: %s\n", result == vpiv::TouchResult::touched ? "approved" : "timed out");
        return result;
    }

private:
    std::string m_pending;
    std::string m_approved;
    TouchMode m_mode;
    std::chrono::milliseconds m_timeout;
};

bool send_frame(int fd, const Bytes& payload) {
    Bytes frame{static_cast<std::uint8_t>(payload.size() >> 8), static_cast<std::uint8_t>(payload.size() & 0xff)};
    frame.insert(frame.end(), payload.begin(), payload.end());
    std::size_t sent = 0;
    while (sent < frame.size()) {
        ssize_t n = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool recv_exact(int fd, std::uint8_t* buffer, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
        // vpcd writes the length and the message in two sends; with Nagle on its side, a delayed
        // ACK on ours would stall every APDU by 40 ms. Linux clears QUICKACK, so set it each time.
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        ssize_t n = ::recv(fd, buffer + got, size - got, 0);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

int connect_to(const std::string& host, std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

std::string describe(const Bytes& apdu) {
    if (apdu.size() < 4) return vpiv::to_hex(apdu);
    // PINs, PUKs and management keys stay out of the log.
    std::uint8_t ins = apdu[1];
    if ((ins == 0x20 || ins == 0x24 || ins == 0x2c || ins == 0xff) && apdu.size() > 5)
        return vpiv::to_hex(Bytes(apdu.begin(), apdu.begin() + 5)) + " <secret>";
    return vpiv::to_hex(apdu);
}

int serve(const std::string& state_path, const std::string& host, std::uint16_t port) {
    std::string error;
    auto state = vpiv::load_state(state_path, error);
    if (!state) {
        std::fprintf(stderr, "virtual-piv-card: %s\n", error.c_str());
        return 1;
    }
    const char* mode = std::getenv("VIRTUAL_PIV_TOUCH");
    TouchMode touch_mode = mode && std::string(mode) == "manual" ? TouchMode::manual : TouchMode::automatic;
    long timeout_s = 15;
    if (const char* t = std::getenv("VIRTUAL_PIV_TOUCH_TIMEOUT")) timeout_s = std::strtol(t, nullptr, 10);
    if (timeout_s <= 0) timeout_s = 15;
    FileTouchSensor touch(dir_of(state_path), touch_mode, std::chrono::seconds(timeout_s));
    auto persist = [&]() {
        std::string e;
        if (!vpiv::save_state(*state, state_path, e)) {
            std::fprintf(stderr, "virtual-piv-card: %s\n", e.c_str());
            std::exit(1);
        }
    };
    vpiv::Applet applet(*state, persist, touch, std::chrono::seconds(15));

    for (;;) {
        int fd = -1;
        while ((fd = connect_to(host, port)) < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        log_line("connected to vpcd at %s\n", host + ":" + std::to_string(port));
        applet.reset_session();
        for (;;) {
            std::uint8_t header[2];
            if (!recv_exact(fd, header, 2)) break;
            std::size_t size = static_cast<std::size_t>(header[0]) << 8 | header[1];
            Bytes message(size);
            if (size && !recv_exact(fd, message.data(), size)) break;
            if (size == 1) {
                switch (message[0]) {
                case 0: applet.reset_session(); log_line("%s\n", "power off"); break;
                case 1: applet.reset_session(); log_line("%s\n", "power on"); break;
                case 2: applet.reset_session(); log_line("%s\n", "reset"); break;
                case 4:
                    if (!send_frame(fd, yubikey5_atr)) goto disconnected;
                    break;
                default: log_line("unknown control %s\n", vpiv::to_hex(message)); break;
                }
                continue;
            }
            Bytes response = applet.process(message);
            log_line("> %s\n", describe(message));
            log_line("< %s\n", vpiv::to_hex(response));
            if (!send_frame(fd, response)) break;
        }
    disconnected:
        ::close(fd);
        log_line("%s\n", "vpcd connection closed; reconnecting");
    }
}

int init(const std::string& state_path, std::uint32_t serial, const std::string& firmware,
         const std::string& key_path, const std::string& cert_path) {
    std::uint8_t version[3] = {};
    unsigned parts[3] = {};
    char tail = 0;
    if (std::sscanf(firmware.c_str(), "%u.%u.%u%c", &parts[0], &parts[1], &parts[2], &tail) != 3 ||
        parts[0] > 255 || parts[1] > 255 || parts[2] > 255) {
        std::fprintf(stderr, "virtual-piv-card: --firmware wants MAJOR.MINOR.PATCH, got '%s'\n",
                     firmware.c_str());
        return 2;
    }
    for (int i = 0; i < 3; ++i) version[i] = static_cast<std::uint8_t>(parts[i]);
    vpiv::CardState state = vpiv::fresh_state(serial, version);
    if (!key_path.empty() || !cert_path.empty()) {
        auto key = vpiv::key_from_pem_file(key_path);
        auto cert = vpiv::cert_from_pem_file(cert_path);
        if (!key || !cert) {
            std::fprintf(stderr, "virtual-piv-card: cannot read attestation key %s or certificate %s\n",
                         key_path.c_str(), cert_path.c_str());
            return 1;
        }
        auto alg = vpiv::algorithm_of(key->get());
        if (!alg) {
            std::fprintf(stderr, "virtual-piv-card: attestation key must be RSA 1024/2048 or EC P-256/P-384\n");
            return 1;
        }
        state.keys[0xf9] = vpiv::KeySlot{*alg, 1, 1, vpiv::Origin::imported, std::move(*key)};
        Bytes content = vpiv::tlv(0x70, vpiv::cert_to_der(cert->get()));
        vpiv::append_tlv(content, 0x71, Bytes{0x00});
        vpiv::append_tlv(content, 0xfe, Bytes{});
        state.objects[0x5fff01] = content;
    }
    std::string error;
    if (!vpiv::save_state(state, state_path, error)) {
        std::fprintf(stderr, "virtual-piv-card: %s\n", error.c_str());
        return 1;
    }
    return 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: virtual-piv-card init --state FILE [--serial N] [--firmware X.Y.Z] "
                 "[--attestation-key PEM "
                 "--attestation-cert PEM]\n"
                 "       virtual-piv-card serve --state FILE --port N [--host ADDR]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string command = argv[1];
    std::map<std::string, std::string> options;
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc || std::strncmp(argv[i], "--", 2) != 0) return usage();
        options[argv[i] + 2] = argv[i + 1];
    }
    auto option = [&](const char* name, const char* fallback) {
        auto it = options.find(name);
        return it == options.end() ? std::string(fallback) : it->second;
    };
    std::string state_path = option("state", "");
    if (state_path.empty()) return usage();
    if (command == "init")
        return init(state_path,
                    static_cast<std::uint32_t>(std::stoul(option("serial", "12345678"))),
                    option("firmware", "5.4.3"), option("attestation-key", ""),
                    option("attestation-cert", ""));
    if (command == "serve") {
        long port = std::stol(option("port", "0"));
        if (port <= 0 || port > 65535) return usage();
        return serve(state_path, option("host", "127.0.0.1"), static_cast<std::uint16_t>(port));
    }
    return usage();
}
