#pragma once
// A SoftHSM2 token for one test case, made by tests/lib/softhsm.sh in a fresh temporary
// directory (removed again by the destructor), and a scripted OperatorUi.

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "core/ui.hpp"

namespace otasign::test {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr const char* kUserPin = "123456";

class SoftHsmToken {
public:
    // Creates the directory, the configuration, the token "otasign-test" and its keys (p256 01,
    // p384 02, p256-auth 03 with CKA_ALWAYS_AUTHENTICATE, rsa2048 04), and points SOFTHSM2_CONF
    // at it. `extra` is more shell run after the standard setup (e.g. another token).
    explicit SoftHsmToken(const std::string& extra = "");
    ~SoftHsmToken();
    SoftHsmToken(const SoftHsmToken&) = delete;
    SoftHsmToken& operator=(const SoftHsmToken&) = delete;

    const std::filesystem::path& dir() const { return m_dir; }
    // Runs a shell command with the fixture sourced and SOFTHSM2_CONF set; returns its exit code.
    int shell(const std::string& command) const;
    // The command's standard output.
    std::string shell_output(const std::string& command) const;

private:
    std::filesystem::path m_dir;
};

// A scripted operator: answers request_secret from a queue and records every call in order.
class ScriptedUi : public OperatorUi {
public:
    std::deque<std::string> secrets;   // answers to request_secret, in order
    std::vector<std::string> events;   // "display:...", "secret:PROMPT", "wait_begin:...", "wait_done"
    int secret_requests = 0;

    void display(std::string_view text) override { events.push_back("display:" + std::string(text)); }
    Result<SecretBuffer> request_secret(std::string_view prompt) override;
    Result<std::string> request_value(std::string_view prompt) override;
    void wait_begin(std::string_view message) override { events.push_back("wait_begin:" + std::string(message)); }
    void wait_done() override { events.push_back("wait_done"); }

    bool displayed(std::string_view needle) const;
};

}  // namespace otasign::test
