#include "softhsm_token.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace otasign::test {

namespace {
std::string fixture_script() {
    const char* src = std::getenv("OTASIGN_SOURCE_DIR");
    if (!src) throw std::runtime_error("OTASIGN_SOURCE_DIR is not set (run the tests through ctest)");
    return std::string(src) + "/tests/lib/softhsm.sh";
}
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}
}  // namespace

SoftHsmToken::SoftHsmToken(const std::string& extra) {
    std::string templ = (std::filesystem::temp_directory_path() / "otasign-softhsm-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    m_dir = templ;
    std::string cmd = "set -e; . " + shell_quote(fixture_script()) + "; softhsm_available; softhsm_token_init " +
                      shell_quote(m_dir.string()) + "; " + extra;
    if (std::system(("bash -c " + shell_quote(cmd)).c_str()) != 0) {
        std::filesystem::remove_all(m_dir);
        throw std::runtime_error("creating the SoftHSM token failed (are softhsm2 and opensc installed?)");
    }
    ::setenv("SOFTHSM2_CONF", (m_dir / "softhsm2.conf").c_str(), 1);
}

SoftHsmToken::~SoftHsmToken() {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
}

int SoftHsmToken::shell(const std::string& command) const {
    std::string cmd = ". " + shell_quote(fixture_script()) + "; export SOFTHSM2_CONF=" +
                      shell_quote((m_dir / "softhsm2.conf").string()) + "; " + command;
    int rc = std::system(("bash -c " + shell_quote(cmd)).c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string SoftHsmToken::shell_output(const std::string& command) const {
    std::string cmd = ". " + shell_quote(fixture_script()) + "; export SOFTHSM2_CONF=" +
                      shell_quote((m_dir / "softhsm2.conf").string()) + "; " + command;
    FILE* pipe = ::popen(("bash -c " + shell_quote(cmd)).c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed");
    std::string out;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
    ::pclose(pipe);
    return out;
}

Result<SecretBuffer> ScriptedUi::request_secret(std::string_view prompt) {
    ++secret_requests;
    events.push_back("secret:" + std::string(prompt));
    if (secrets.empty()) return make_error(ErrorCode::Declined, "the scripted operator has no more PINs");
    SecretBuffer out;
    const std::string& s = secrets.front();
    out.assign({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    secrets.pop_front();
    return out;
}

Result<std::string> ScriptedUi::request_value(std::string_view prompt) {
    events.push_back("value:" + std::string(prompt));
    return make_error(ErrorCode::Declined, "the scripted operator answers no questions");
}

bool ScriptedUi::displayed(std::string_view needle) const {
    for (const auto& e : events)
        if (e.starts_with("display:") && e.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace otasign::test
