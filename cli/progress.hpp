#pragma once
// A progress bar on stderr for long work (hashing artifacts). Drawn only when stderr is a
// terminal: redirected to a file or a pipe, nothing but the command's normal output appears.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/progress.hpp"

namespace otasign::cli {

class ProgressBar {
  public:
    // `title` leads the line, e.g. "Hashing artifacts". Draws nothing unless stderr is a tty.
    explicit ProgressBar(std::string title);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // The callback to hand to libsign; valid while this object lives. Empty when not drawing,
    // so the library skips the bookkeeping.
    ProgressFn callback();
    // Ends the bar's line (the last state stays on screen). Called by the destructor too.
    void finish();

  private:
    void update(std::uint64_t done, std::uint64_t total, std::string_view label);
    void draw();

    std::string m_title;
    bool m_enabled = false;
    bool m_drawn = false;
    bool m_finished = false;
    std::uint64_t m_done = 0, m_total = 0;
    std::string m_label;
    int m_last_permille = -1;
    std::chrono::steady_clock::time_point m_last_draw{};
};

}  // namespace otasign::cli
