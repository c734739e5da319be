#include "tty_ui.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "exit_codes.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {

namespace {

// Signal-handler state: plain data only, read in the handler.
volatile sig_atomic_t g_tty_fd = -1;
volatile sig_atomic_t g_saved_valid = 0;
struct termios g_saved;
struct sigaction g_old_int, g_old_term, g_old_hup, g_old_quit, g_old_tstp, g_old_cont;
// While a secret is asked for: the quiet mode and the prompt, for Ctrl-Z and fg.
volatile sig_atomic_t g_secret_active = 0;
struct termios g_quiet;
char g_prompt[512];
volatile sig_atomic_t g_prompt_len = 0;

// Ctrl-Z at the PIN prompt: give the shell its echo back, then stop as the default would.
extern "C" void on_stop(int) {
    const int saved_errno = errno;
    if (g_secret_active && g_saved_valid && g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSANOW, &g_saved);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, nullptr);
    raise(SIGTSTP);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &stop, nullptr);  // the process stops here until fg
    struct sigaction again {};
    again.sa_handler = on_stop;
    sigemptyset(&again.sa_mask);
    sigaction(SIGTSTP, &again, nullptr);
    errno = saved_errno;
}

// fg (SIGCONT): echo off again and the prompt re-printed, before another key is read.
extern "C" void on_continue(int) {
    const int saved_errno = errno;
    if (g_secret_active && g_tty_fd >= 0) {
        tcsetattr(g_tty_fd, TCSANOW, &g_quiet);
        (void)!::write(g_tty_fd, "\n", 1);
        (void)!::write(g_tty_fd, g_prompt, static_cast<std::size_t>(g_prompt_len));
    }
    errno = saved_errno;
}

extern "C" void on_abort_signal(int) {
    if (g_saved_valid && g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSANOW, &g_saved);
    static const char msg[] = "\notasign: error: aborted by the operator\n";
    if (g_tty_fd >= 0) (void)!::write(g_tty_fd, msg, sizeof msg - 1);
    _exit(kDeclined);
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Reads one line byte by byte (no buffering beyond the line, so nothing of the next answer is
// swallowed). Returns false on EOF before any newline.
template <class Push>
bool read_line(int fd, Push&& push) {
    for (;;) {
        char c = 0;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (c == '\n' || c == '\r') return true;
        if (c == 0x04) return false;  // ^D in raw-ish modes
        if (!push(c)) return true;
    }
}

}  // namespace

Result<std::unique_ptr<TtyUi>> TtyUi::open() {
    core::Fd fd(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!fd)
        // Nobody declined: the command was run where it cannot ask, a usage error (exit 2).
        return make_error(ErrorCode::Usage, "no terminal to ask the operator for approval",
                          "run on a terminal, or approve non-interactively with --approve "
                          "sha256:DIGEST and --pin-source");
    return std::unique_ptr<TtyUi>(new TtyUi(std::move(fd)));
}

TtyUi::TtyUi(core::Fd fd) : m_fd(std::move(fd)) {
    g_tty_fd = m_fd.get();
    struct sigaction sa {};
    sa.sa_handler = on_abort_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    sigaction(SIGHUP, &sa, &g_old_hup);
    // Ctrl-\ too: its default (a core dump) would leave a PIN prompt's echo off.
    sigaction(SIGQUIT, &sa, &g_old_quit);
    struct sigaction stop {};
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTSTP, &stop, &g_old_tstp);
    struct sigaction cont {};
    cont.sa_handler = on_continue;
    sigemptyset(&cont.sa_mask);
    sigaction(SIGCONT, &cont, &g_old_cont);
}

TtyUi::~TtyUi() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    sigaction(SIGHUP, &g_old_hup, nullptr);
    sigaction(SIGQUIT, &g_old_quit, nullptr);
    sigaction(SIGTSTP, &g_old_tstp, nullptr);
    sigaction(SIGCONT, &g_old_cont, nullptr);
    g_tty_fd = -1;
}

std::optional<std::size_t> TtyUi::rows() const {
    struct winsize ws {};
    if (::ioctl(m_fd.get(), TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return std::nullopt;
    return ws.ws_row;
}

void TtyUi::display(std::string_view raw) {
    const std::string text = fold_lines(terminal_safe_text(raw), kScreenWidth);
    write_all(m_fd.get(), text);
    if (!text.empty() && text.back() != '\n') write_all(m_fd.get(), "\n");
}

void TtyUi::display_emphasised(std::string_view raw) {
    std::string text = terminal_safe_text(raw);
    const bool newline = !text.empty() && text.back() == '\n';
    if (newline) text.pop_back();
    write_all(m_fd.get(), "\x1b[1;31m" + text + "\x1b[0m\n");
}

Result<std::string> TtyUi::request_value(std::string_view prompt) {
    write_all(m_fd.get(), fold_lines(terminal_safe_text(prompt), kPromptWidth));
    std::string line;
    if (!read_line(m_fd.get(), [&](char c) {
            if (line.size() >= 4096) return false;
            line.push_back(c);
            return true;
        }))
        return make_error(ErrorCode::Declined, "no answer (end of input)");
    return line;
}

Result<SecretBuffer> TtyUi::request_secret(std::string_view prompt) {
    struct termios t {};
    if (tcgetattr(m_fd.get(), &t) != 0)
        return make_error(ErrorCode::Declined,
                          "cannot read the terminal mode: " + std::string(std::strerror(errno)));
    g_saved = t;
    g_saved_valid = 1;
    struct termios quiet = t;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    const std::string shown_prompt = fold_lines(terminal_safe_text(prompt), kPromptWidth);
    const std::size_t n = std::min(shown_prompt.size(), sizeof g_prompt);
    std::memcpy(g_prompt, shown_prompt.data(), n);
    g_prompt_len = static_cast<sig_atomic_t>(n);
    g_quiet = quiet;
    g_secret_active = 1;
    // TCSANOW rather than TCSAFLUSH: a PIN typed ahead (or fed by a scripted terminal) is read
    // with echo off instead of being silently discarded.
    if (tcsetattr(m_fd.get(), TCSANOW, &quiet) != 0) {
        g_secret_active = 0;
        g_saved_valid = 0;
        return make_error(ErrorCode::Declined,
                          "cannot turn terminal echo off: " + std::string(std::strerror(errno)));
    }
    write_all(m_fd.get(), shown_prompt);
    SecretBuffer secret;
    bool too_long = false;
    bool got_line = read_line(m_fd.get(), [&](char c) {
        if (!secret.push_back(static_cast<std::uint8_t>(c))) too_long = true;
        return !too_long;
    });
    g_secret_active = 0;
    tcsetattr(m_fd.get(), TCSANOW, &t);
    g_saved_valid = 0;
    write_all(m_fd.get(), "\n");
    if (!got_line) return make_error(ErrorCode::Declined, "no PIN entered (end of input)");
    if (too_long) return make_error(ErrorCode::InvalidInput, "the PIN is too long");
    return secret;
}

void TtyUi::warn(std::string_view text) { display("otasign: warning: " + std::string(text)); }

void TtyUi::wait_begin(std::string_view message) { display(message); }
void TtyUi::wait_done() {}

void StderrUi::display(std::string_view raw) {
    const std::string text = terminal_safe_text(raw);
    std::cerr << text;
    if (!text.empty() && text.back() != '\n') std::cerr << '\n';
    std::cerr.flush();
}

Result<SecretBuffer> StderrUi::request_secret(std::string_view) {
    return make_error(ErrorCode::Usage, "a PIN is needed but there is no terminal to ask for it",
                      "pass --pin-source fd:N or --pin-source file:PATH");
}

Result<std::string> StderrUi::request_value(std::string_view) {
    return make_error(ErrorCode::Usage, "an answer is needed but there is no terminal",
                      "approve non-interactively with --approve sha256:DIGEST");
}

void StderrUi::warn(std::string_view text) { cli::warn(text); }

void StderrUi::wait_begin(std::string_view message) { display(message); }
void StderrUi::wait_done() {}

}  // namespace otasign::cli
