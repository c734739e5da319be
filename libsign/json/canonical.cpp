#include "json/canonical.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

namespace otasign::json {

namespace {

using Member = Value::object_t::value_type;

bool is_lead_e000_to_ffff(unsigned char c) { return c == 0xee || c == 0xef; }
bool is_lead_astral(unsigned char c) { return c >= 0xf0; }

// RFC 8785 3.2.3 sorts keys by UTF-16 code units. UTF-8 byte order equals code point order,
// which agrees with UTF-16 order except between U+E000..U+FFFF and the astral planes (whose
// UTF-16 high surrogates D800..DBFF sort before E000). The first differing code point decides,
// so compare bytes and flip only when that code point falls into those two ranges.
bool utf16_less(std::string_view a, std::string_view b) {
    std::size_t n = std::min(a.size(), b.size());
    std::size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    if (i == n) return a.size() < b.size();
    std::size_t start = i;  // back up to the first byte of the code point that differs
    while (start > 0 && (static_cast<unsigned char>(a[start]) & 0xc0) == 0x80) --start;
    auto la = static_cast<unsigned char>(a[start]);
    auto lb = static_cast<unsigned char>(b[start]);
    if (is_lead_e000_to_ffff(la) && is_lead_astral(lb)) return false;
    if (is_lead_astral(la) && is_lead_e000_to_ffff(lb)) return true;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
}

// Whether std::map's byte order differs from UTF-16 order for these keys: only if both ranges
// occur. Checking spares the sort for almost every object.
bool needs_utf16_sort(const Value::object_t& members) {
    bool bmp_high = false, astral = false;
    for (const auto& [key, _] : members) {
        for (char ch : key) {
            auto c = static_cast<unsigned char>(ch);
            bmp_high |= is_lead_e000_to_ffff(c);
            astral |= is_lead_astral(c);
        }
        if (bmp_high && astral) return true;
    }
    return false;
}

void write_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xf];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

struct Frame {
    const Value* container;
    std::size_t index = 0;
    Value::object_t::const_iterator next_member{};
    std::vector<const Member*> sorted;  // only when byte order differs from UTF-16 order
};

// Writes a scalar, or the opening bracket of a container and pushes its frame.
void open_value(std::string& out, std::vector<Frame>& stack, const Value& v) {
    switch (v.type()) {
        case Value::value_t::null: out += "null"; return;
        case Value::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
        case Value::value_t::number_integer:
            out += format_es6_number(static_cast<double>(v.get<Value::number_integer_t>()));
            return;
        case Value::value_t::number_unsigned:
            out += format_es6_number(static_cast<double>(v.get<Value::number_unsigned_t>()));
            return;
        case Value::value_t::number_float: {
            double d = v.get<double>();
            // JSON.stringify's choice; parse_strict never produces these.
            out += std::isfinite(d) ? format_es6_number(d) : "null";
            return;
        }
        case Value::value_t::string: write_string(out, v.get_ref<const std::string&>()); return;
        case Value::value_t::array:
            out += '[';
            stack.push_back(Frame{&v, 0, {}, {}});
            return;
        case Value::value_t::object: {
            out += '{';
            const auto& members = v.get_ref<const Value::object_t&>();
            Frame frame{&v, 0, members.begin(), {}};
            if (needs_utf16_sort(members)) {
                frame.sorted.reserve(members.size());
                for (const auto& m : members) frame.sorted.push_back(&m);
                std::sort(frame.sorted.begin(), frame.sorted.end(),
                          [](const Member* x, const Member* y) { return utf16_less(x->first, y->first); });
            }
            stack.push_back(std::move(frame));
            return;
        }
        case Value::value_t::binary:
        case Value::value_t::discarded:
            // Not JSON; parse_strict never produces them.
            out += "null";
            return;
    }
}

}  // namespace

std::string canonicalize(const Value& value) {
    std::string out;
    std::vector<Frame> stack;
    open_value(out, stack, value);
    while (!stack.empty()) {
        Frame& top = stack.back();
        const Value* child = nullptr;
        if (top.container->is_array()) {
            const auto& elements = top.container->get_ref<const Value::array_t&>();
            if (top.index == elements.size()) {
                out += ']';
                stack.pop_back();
                continue;
            }
            if (top.index > 0) out += ',';
            child = &elements[top.index];
        } else {
            const auto& members = top.container->get_ref<const Value::object_t&>();
            if (top.index == members.size()) {
                out += '}';
                stack.pop_back();
                continue;
            }
            if (top.index > 0) out += ',';
            const Member* member = top.sorted.empty() ? &*top.next_member++ : top.sorted[top.index];
            write_string(out, member->first);
            out += ':';
            child = &member->second;
        }
        ++top.index;
        open_value(out, stack, *child);  // may reallocate `stack`: `top` is not used after this
    }
    return out;
}

std::string format_es6_number(double x) {
    if (x == 0) return "0";  // also -0
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x < 0 ? "-Infinity" : "Infinity";

    // Shortest round-trip digits, in scientific form "d[.ddd]e[+-]xx".
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(x), std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    std::size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.') digits += c;
    int exponent = 0;
    std::string_view exp_text = sci.substr(e_pos + 1);
    if (exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

    // ECMA-262 Number::toString: k digits, value = digits * 10^(n-k).
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;
    std::string out = x < 0 ? "-" : "";
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out += digits.substr(0, static_cast<std::size_t>(n));
        out += '.';
        out += digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out += digits.substr(1);
        }
        out += 'e';
        out += n - 1 >= 0 ? '+' : '-';
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

}  // namespace otasign::json
