#pragma once
// The terminal side of core/ui.hpp: TtyUi talks to the operator on /dev/tty (never on
// stdin/stdout, which may be redirected); StderrUi is for --approve runs without a terminal.

#include <memory>
#include <string>

#include "core/fd.hpp"
#include "core/result.hpp"
#include "core/ui.hpp"

namespace otasign::cli {

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
    Result<SecretBuffer> request_secret(std::string_view prompt) override;
    Result<std::string> request_value(std::string_view prompt) override;
    void wait_begin(std::string_view message) override;
    void wait_done() override;
};

}  // namespace otasign::cli
