#pragma once
// The sign review on the operator's terminal: the screen text (summary, diff, digest, approval
// recap) shown a page at a time when it is taller than the terminal, so that no line scrolls
// past unseen and the recap stands whole above the approval prompt.

#include <string_view>

#include "core/result.hpp"
#include "tty_ui.hpp"

namespace otasign::cli {

// Colour on the operator's terminal unless NO_COLOR (no-color.org) is set or TERM is dumb.
bool use_colour();

// Shows `text` (already escaped and folded: the exact bytes shown.textSha256 covers). When it
// does not fit the terminal with the approval prompt below it, it is shown in pages of one
// screen each, every page but the last followed by a "-- more --" line that waits for Enter
// (that line and the Enter are not part of `text`); the approval recap is never split across
// pages. On a colour terminal the recap's high-risk lines are bold red (SGR codes outside
// `text`). Errors: Declined when the operator ends the input at a page prompt.
Status show_review(TtyUi& tty, std::string_view text, bool colour);

}  // namespace otasign::cli
