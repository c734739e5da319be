#include "review_screen.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace otasign::cli {
namespace {

// Lines of `text`, each with its line feed.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = end == std::string_view::npos ? text.size() : end + 1;
        lines.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return lines;
}

// Lines [from, to) of the screen; the recap's high-risk lines emphasised on a colour terminal.
void display_lines(TtyUi& tty, const std::vector<std::string_view>& lines, std::size_t from,
                   std::size_t to, bool colour) {
    std::string plain;
    bool in_high = false;  // a high-risk line and its continuation lines (10 spaces in)
    for (std::size_t i = from; i < to; ++i) {
        in_high =
            lines[i].starts_with("  HIGH    ") || (in_high && lines[i].starts_with("          "));
        if (colour && in_high) {
            if (!plain.empty()) tty.display(plain);
            plain.clear();
            tty.display_emphasised(lines[i]);
        } else {
            plain.append(lines[i]);
        }
    }
    if (!plain.empty()) tty.display(plain);
}

// The first line of the approval recap (the blank line above its heading), or lines.size().
std::size_t recap_start(const std::vector<std::string_view>& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == "APPROVAL RECAP\n") return i > 0 && lines[i - 1] == "\n" ? i - 1 : i;
    return lines.size();
}

}  // namespace

bool use_colour() {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    const char* term = std::getenv("TERM");
    return !(term && std::string_view(term) == "dumb");
}

Status show_review(TtyUi& tty, std::string_view text, bool colour) {
    const std::vector<std::string_view> lines = split_lines(text);
    // One row stays free for the prompt below each page. A terminal too small to page on (or
    // one that does not say its size) gets the text at once, as a pipe would.
    const std::size_t rows = tty.rows().value_or(0);
    if (rows < 12 || lines.size() + 1 <= rows) {
        display_lines(tty, lines, 0, lines.size(), colour);
        return ok_status();
    }
    const std::size_t page = rows - 1;
    const std::size_t recap = recap_start(lines);
    const bool recap_fits = lines.size() - recap + 1 <= rows;
    std::size_t shown = 0;
    while (lines.size() - shown + 1 > rows) {
        std::size_t n = page;
        // A page that would end inside the recap ends before it: the recap comes whole, last.
        if (recap_fits && shown < recap && shown + n > recap) n = recap - shown;
        display_lines(tty, lines, shown, shown + n, colour);
        shown += n;
        auto more =
            tty.request_value("-- more: " + std::to_string(shown) + " of " +
                              std::to_string(lines.size()) + " lines shown; press Enter --");
        if (!more) return std::move(more).error();
    }
    display_lines(tty, lines, shown, lines.size(), colour);
    return ok_status();
}

}  // namespace otasign::cli
