#pragma once
// What reaches the operator's terminal from outside (file names, operator names, token labels,
// manifest text, error details) is shown with every character that could move the cursor,
// erase, hide or reorder text escaped: C0 and C1 controls, DEL, Unicode bidirectional and
// invisible format characters, and bytes that are not UTF-8. Escaping is idempotent, so text
// escaped once and shown through another escaping layer is shown unchanged.

#include <cstddef>
#include <string>
#include <string_view>

namespace otasign::cli {

// One value on one line: every control character is escaped, line feeds included
// ("\n" -> "\x0a", ESC -> "\x1b", U+202E -> "\u{202e}", a stray byte 0xff -> "\xff").
std::string terminal_safe(std::string_view text);

// "1 signature", "2 signatures": a count and its noun, plural with a trailing "s".
std::string plural(std::size_t n, std::string_view noun);

// A block of text: as terminal_safe, but line feeds are kept.
std::string terminal_safe_text(std::string_view text);

}  // namespace otasign::cli
