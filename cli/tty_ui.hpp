#pragma once
// The terminal side of core/ui.hpp: TtyUi talks to the operator on /dev/tty (never on
// stdin/stdout, which may be redirected); StderrUi is for --approve runs without a terminal.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/fd.hpp"
#include "core/result.hpp"
#include "core/ui.hpp"

namespace otasign::cli {

// The narrowest terminal otasign is laid out for is 80 columns; lines stop at 79 so that none
// wraps (a line of exactly 80 makes some terminals wrap the cursor). Text shown on the terminal
// is folded to this width, prompts to kPromptWidth, leaving room on the line for the answer.
inline constexpr std::size_t kScreenWidth = 79;
inline constexpr std::size_t kPromptWidth = 60;

// The operator's terminal. While one exists, SIGINT, SIGQUIT, SIGTERM and SIGHUP restore the
// terminal mode and exit with 5 (declined): an aborted prompt never leaves echo off and never
// writes.
class TtyUi final : public OperatorUi {
  public:
    // Errors: Declined when there is no controlling terminal.
    static Result<std::unique_ptr<TtyUi>> open();
    ~TtyUi() override;
    TtyUi(const TtyUi&) = delete;
    TtyUi& operator=(const TtyUi&) = delete;

    void display(std::string_view text) override;
    void warn(std::string_view text) override;
    // The terminal's height in rows, when the terminal says (TIOCGWINSZ).
    std::optional<std::size_t> rows() const;
    // One line of text in bold red (escaped like display()).
    void display_emphasised(std::string_view line);
    Result<SecretBuffer> request_secret(std::string_view prompt) override;
    Result<std::string> request_value(std::string_view prompt) override;
    void wait_begin(std::string_view message) override;
    void wait_done() override;

  private:
    explicit TtyUi(core::Fd fd);
    core::Fd m_fd;  // /dev/tty
};

// No terminal: text goes to stderr; questions are refused (Declined) because nobody can
// answer them. A PIN must then come from --pin-source.
class StderrUi final : public OperatorUi {
  public:
    void display(std::string_view text) override;
    void warn(std::string_view text) override;
    Result<SecretBuffer> request_secret(std::string_view prompt) override;
    Result<std::string> request_value(std::string_view prompt) override;
    void wait_begin(std::string_view message) override;
    void wait_done() override;
};

}  // namespace otasign::cli
