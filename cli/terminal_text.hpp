#pragma once
// What reaches the operator's terminal from outside (file names, operator names, token labels,
// manifest text, error details) is shown with every character that could move the cursor,
// erase, hide or reorder text escaped: C0 and C1 controls, DEL, Unicode bidirectional and
// invisible format characters, and bytes that are not UTF-8. Escaping is idempotent, so text
// escaped once and shown through another escaping layer is shown unchanged.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/words.hpp"

namespace otasign::cli {

// One value on one line: every control character is escaped, line feeds included
// ("\n" -> "\x0a", ESC -> "\x1b", U+202E -> "\u{202e}", a stray byte 0xff -> "\xff").
std::string terminal_safe(std::string_view text);

// A block of text: as terminal_safe, but line feeds are kept.
std::string terminal_safe_text(std::string_view text);

// Every line of `text` wider than `width` columns (UTF-8 characters) broken at spaces into
// lines of at most `width`, each continuation indented by `indent` spaces; a word too long for
// a line (a SHA-512 digest) is cut. Lines that fit are unchanged, so folding twice changes
// nothing more.
std::string fold_lines(std::string_view text, std::size_t width, std::size_t indent = 6);

}  // namespace otasign::cli
