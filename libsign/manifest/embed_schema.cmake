# Writes OUTPUT, a C++ source holding the bytes of INPUT, so the schema is compiled into the
# library and otasign needs no installed data files. Bytes rather than a string literal: no
# escaping questions and no compiler limit on literal length.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){16})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from schemas/manifest.schema.json by embed_schema.cmake; do not edit.
#include <string_view>

namespace otasign::manifest::detail {
namespace {
constexpr char kSchema[] = {
    ${bytes}'\\0'};
}
std::string_view embedded_schema() noexcept { return std::string_view(kSchema, ${size}); }
}  // namespace otasign::manifest::detail
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
