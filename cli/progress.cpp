#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace otasign::cli {
namespace {

int terminal_columns() {
    struct winsize ws {};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 80;
}

std::string mib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

void write_stderr(const std::string& text) {
    std::string_view rest = text;
    while (!rest.empty()) {
        ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

ProgressBar::ProgressBar(std::string title)
    : m_title(std::move(title)), m_enabled(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

ProgressFn ProgressBar::callback() {
    if (!m_enabled) return {};
    return [this](std::uint64_t done, std::uint64_t total, std::string_view label) {
        update(done, total, label);
    };
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, std::string_view label) {
    if (m_finished) return;
    m_done = done;
    m_total = total;
    if (!label.empty()) m_label = label;
    // Redraw when the shown number changes or a tenth of a second passed, not per 64 KiB read.
    int permille = total ? static_cast<int>(done * 1000 / total) : 1000;
    auto now = std::chrono::steady_clock::now();
    if (permille == m_last_permille && now - m_last_draw < std::chrono::milliseconds(100)) return;
    m_last_permille = permille;
    m_last_draw = now;
    draw();
}

void ProgressBar::draw() {
    const int columns = terminal_columns();
    const double fraction =
        m_total ? static_cast<double>(m_done) / static_cast<double>(m_total) : 1.0;
    const int bar_width = 30;
    const int filled = static_cast<int>(fraction * bar_width);
    std::string line = m_title + " [";
    line.append(static_cast<std::size_t>(filled), '#');
    line.append(static_cast<std::size_t>(bar_width - filled), '.');
    char pct[16];
    std::snprintf(pct, sizeof pct, "] %3d%% ", static_cast<int>(fraction * 100.0));
    line += pct;
    line += mib(m_done) + "/" + mib(m_total) + " MiB";
    if (!m_label.empty()) line += "  " + m_label;
    // Padded with spaces to overwrite a longer previous line (no escape sequences), and cut
    // short of the last column so the terminal never wraps.
    const auto width = static_cast<std::size_t>(columns - 1);
    if (line.size() > width) line.resize(width);
    line.append(width - line.size(), ' ');
    write_stderr("\r" + line);
    m_drawn = true;
}

void ProgressBar::finish() {
    if (!m_enabled || m_finished) return;
    m_finished = true;
    if (!m_drawn) return;
    m_label.clear();
    draw();
    write_stderr("\n");
}

}  // namespace otasign::cli
