#include "json/canonical.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "json/canonical_detail.hpp"

namespace otasign::json {

namespace {

using Member = Value::object_t::value_type;

using detail::is_lead_astral;
using detail::is_lead_e000_to_ffff;
using detail::utf16_less;

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
    out += '"';
    std::size_t plain = 0;  // start of the run of bytes written as they are
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (!detail::needs_escape(c)) continue;
        out.append(s.data() + plain, i - plain);
        char buf[8];
        out.append(buf, detail::write_escape(buf, c));
        plain = i + 1;
    }
    out.append(s.data() + plain, s.size() - plain);
    out += '"';
}

void write_number(std::string& out, double x) {
    char buf[detail::kMaxNumberChars];
    out.append(buf, detail::write_es6_number(buf, x));
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
        case Value::value_t::null:
            out += "null";
            return;
        case Value::value_t::boolean:
            out += v.get<bool>() ? "true" : "false";
            return;
        case Value::value_t::number_integer:
            write_number(out, static_cast<double>(v.get<Value::number_integer_t>()));
            return;
        case Value::value_t::number_unsigned:
            write_number(out, static_cast<double>(v.get<Value::number_unsigned_t>()));
            return;
        case Value::value_t::number_float: {
            double d = v.get<double>();
            // JSON.stringify's choice; parse_strict never produces these.
            if (std::isfinite(d))
                write_number(out, d);
            else
                out += "null";
            return;
        }
        case Value::value_t::string:
            write_string(out, v.get_ref<const std::string&>());
            return;
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
                          [](const Member* x, const Member* y) {
                              return utf16_less(x->first, y->first);
                          });
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
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x < 0 ? "-Infinity" : "Infinity";
    char buf[detail::kMaxNumberChars];
    return std::string(buf, detail::write_es6_number(buf, x));
}

namespace detail {

char* write_es6_number(char* out, double x) {
    if (x == 0) {  // also -0
        *out++ = '0';
        return out;
    }
    // Shortest round-trip digits, in scientific form "d[.ddd]e[+-]xx".
    char sci[40];
    auto res = std::to_chars(sci, sci + sizeof sci, std::fabs(x), std::chars_format::scientific);
    char digits[24];
    int k = 0;  // number of digits
    const char* p = sci;
    for (; *p != 'e'; ++p)
        if (*p != '.') digits[k++] = *p;
    ++p;
    const bool negative_exponent = *p == '-';
    ++p;  // to_chars always writes the exponent's sign
    int exponent = 0;
    for (; p < res.ptr; ++p) exponent = exponent * 10 + (*p - '0');
    if (negative_exponent) exponent = -exponent;

    // ECMA-262 Number::toString: k digits, value = digits * 10^(n-k).
    const int n = exponent + 1;
    if (x < 0) *out++ = '-';
    if (k <= n && n <= 21) {
        out = std::copy(digits, digits + k, out);
        out = std::fill_n(out, n - k, '0');
    } else if (0 < n && n <= 21) {
        out = std::copy(digits, digits + n, out);
        *out++ = '.';
        out = std::copy(digits + n, digits + k, out);
    } else if (-6 < n && n <= 0) {
        *out++ = '0';
        *out++ = '.';
        out = std::fill_n(out, -n, '0');
        out = std::copy(digits, digits + k, out);
    } else {
        *out++ = digits[0];
        if (k > 1) {
            *out++ = '.';
            out = std::copy(digits + 1, digits + k, out);
        }
        *out++ = 'e';
        *out++ = n - 1 >= 0 ? '+' : '-';
        out = std::to_chars(out, out + 4, std::abs(n - 1)).ptr;
    }
    return out;
}

}  // namespace detail

}  // namespace otasign::json
