#include "json/schema_words.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "core/words.hpp"

namespace otasign::json {
namespace {

// Deep enough for every otasign schema; a cycle of "$ref"s stops here instead of recursing.
constexpr int kMaxWalkDepth = 32;

std::vector<std::string> split_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) return tokens;
    std::size_t pos = 1;
    for (;;) {
        std::size_t slash = pointer.find('/', pos);
        std::string raw(pointer.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
        std::string token;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size()) {
                token += raw[i + 1] == '1' ? '/' : '~';
                ++i;
            } else {
                token += raw[i];
            }
        }
        tokens.push_back(std::move(token));
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return tokens;
}

const Value* member(const Value& v, const char* key) {
    if (!v.is_object()) return nullptr;
    auto it = v.find(key);
    return it == v.end() ? nullptr : &*it;
}

const Value* child_of(const Value* instance, const std::string& token) {
    if (!instance) return nullptr;
    if (instance->is_object()) {
        auto it = instance->find(token);
        return it == instance->end() ? nullptr : &*it;
    }
    if (instance->is_array()) {
        char* end = nullptr;
        unsigned long i = std::strtoul(token.c_str(), &end, 10);
        return (end && *end == '\0' && i < instance->size()) ? &(*instance)[i] : nullptr;
    }
    return nullptr;
}

bool pattern_matches(const std::string& pattern, const std::string& text) {
    try {
        return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
        return false;
    }
}

void walk(const Value& root, const Value& node, const std::vector<std::string>& tokens,
          std::size_t at, const Value* instance, int depth, std::vector<const Value*>& out) {
    if (depth > kMaxWalkDepth || !node.is_object()) return;
    if (const Value* ref = member(node, "$ref"); ref && ref->is_string()) {
        const std::string& r = ref->get_ref<const std::string&>();
        if (r.rfind("#", 0) == 0) {
            try {
                walk(root, root.at(Value::json_pointer(r.substr(1))), tokens, at, instance,
                     depth + 1, out);
            } catch (const std::exception&) {
            }
        }
    }
    for (const char* combinator : {"allOf", "anyOf", "oneOf"})
        if (const Value* list = member(node, combinator); list && list->is_array())
            for (const Value& branch : *list)
                walk(root, branch, tokens, at, instance, depth + 1, out);
    for (const char* branch : {"then", "else"})
        if (const Value* b = member(node, branch))
            walk(root, *b, tokens, at, instance, depth + 1, out);
    if (at == tokens.size()) {
        out.push_back(&node);
        return;
    }
    const std::string& token = tokens[at];
    const Value* child = child_of(instance, token);
    if (instance && instance->is_array()) {
        const Value* items = member(node, "items");
        if (items && items->is_object()) {
            walk(root, *items, tokens, at + 1, child, depth + 1, out);
        } else if (items && items->is_array()) {
            char* end = nullptr;
            unsigned long i = std::strtoul(token.c_str(), &end, 10);
            if (i < items->size()) walk(root, (*items)[i], tokens, at + 1, child, depth + 1, out);
        }
        return;
    }
    bool matched = false;
    if (const Value* props = member(node, "properties"); props && props->is_object())
        if (auto it = props->find(token); it != props->end()) {
            walk(root, *it, tokens, at + 1, child, depth + 1, out);
            matched = true;
        }
    if (const Value* pats = member(node, "patternProperties"); pats && pats->is_object())
        for (const auto& [pattern, sub] : pats->items())
            if (pattern_matches(pattern, token)) {
                walk(root, sub, tokens, at + 1, child, depth + 1, out);
                matched = true;
            }
    if (!matched)
        if (const Value* extra = member(node, "additionalProperties"); extra && extra->is_object())
            walk(root, *extra, tokens, at + 1, child, depth + 1, out);
}

std::string with_article(std::string_view type) {
    if (type == "null") return "null";
    if (type == "integer" || type == "object" || type == "array") return "an " + std::string(type);
    return "a " + std::string(type);
}

void add_unique(std::vector<std::string>& list, std::string item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(std::move(item));
}

// A value as it is quoted in a message: compact JSON, long ones cut.
std::string quoted(const Value& v) {
    std::string text = v.dump(-1, ' ', false, Value::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

std::vector<std::string> expected_types(const std::vector<const Value*>& nodes) {
    std::vector<std::string> types;
    for (const Value* n : nodes) {
        const Value* t = member(*n, "type");
        if (t && t->is_string()) add_unique(types, t->get<std::string>());
        if (t && t->is_array())
            for (const Value& one : *t)
                if (one.is_string()) add_unique(types, one.get<std::string>());
        if (const Value* c = member(*n, "const")) add_unique(types, schema_type_name(*c));
    }
    return types;
}

std::vector<std::string> allowed_values(const std::vector<const Value*>& nodes) {
    std::vector<std::string> values;
    for (const Value* n : nodes) {
        if (const Value* e = member(*n, "enum"); e && e->is_array())
            for (const Value& v : *e) add_unique(values, quoted(v));
        if (const Value* c = member(*n, "const")) add_unique(values, quoted(*c));
    }
    return values;
}

std::optional<std::string> keyword_number(const std::vector<const Value*>& nodes,
                                          const char* keyword) {
    for (const Value* n : nodes)
        if (const Value* k = member(*n, keyword); k && k->is_number()) return k->dump();
    return std::nullopt;
}

std::string quoted_name(std::string_view description, std::size_t from) {
    std::size_t a = description.find('\'', from);
    std::size_t b = description.rfind('\'');
    if (a == std::string_view::npos || b == std::string_view::npos || b <= a) return {};
    return std::string(description.substr(a + 1, b - a - 1));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The declared member a misspelt one was probably meant to be ("rolbackIndex" -> rollbackIndex).
std::optional<std::string> closest_member(const std::vector<const Value*>& nodes,
                                          const std::string& key) {
    std::optional<std::string> best;
    std::size_t best_distance = key.size() < 6 ? 1 : 2;  // a short name tolerates one edit
    for (const Value* n : nodes)
        if (const Value* props = member(*n, "properties"); props && props->is_object())
            for (const auto& [name, sub] : props->items()) {
                (void)sub;
                std::size_t d = edit_distance(key, name);
                if (d <= best_distance && name != key) {
                    best = name;
                    best_distance = d;
                }
            }
    return best;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

const char* schema_type_name(const Value& v) noexcept {
    switch (v.type()) {
        case Value::value_t::null:
            return "null";
        case Value::value_t::boolean:
            return "boolean";
        case Value::value_t::number_integer:
        case Value::value_t::number_unsigned:
            return "integer";
        case Value::value_t::number_float:
            return "number";
        case Value::value_t::string:
            return "string";
        case Value::value_t::array:
            return "array";
        case Value::value_t::object:
            return "object";
        default:
            return "value";
    }
}

std::vector<const Value*> subschemas_at(const Value& schema, const Value& instance,
                                        std::string_view pointer) {
    std::vector<const Value*> out;
    walk(schema, schema, split_pointer(pointer), 0, &instance, 0, out);
    return out;
}

std::string pointer_from_schema_context(const std::vector<std::string>& context) {
    std::string pointer;
    for (const auto& part : context) {
        if (part == "<root>") continue;
        std::string token = part;
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
            token = token.substr(1, token.size() - 2);
        pointer += "/" + pointer_token(token);
    }
    return pointer;
}

std::optional<SchemaProblem> word_schema_error(const Value& schema, const Value& instance,
                                               const std::string& pointer, std::string_view d) {
    // Summaries that only repeat a nested error.
    if (starts_with(d, "Failed to validate item #") ||
        starts_with(d, "Failed to validate against schema associated with property name") ||
        starts_with(d, "Failed to validate against child schema") ||
        starts_with(d, "Failed to validate against schema associated with pattern") ||
        starts_with(d, "Failed to validate against additional properties schema"))
        return std::nullopt;
    const std::vector<const Value*> nodes = subschemas_at(schema, instance, pointer);
    const Value* value = nullptr;
    try {
        value = &instance.at(Value::json_pointer(pointer));
    } catch (const std::exception&) {
    }
    const std::string shown = value ? quoted(*value) : std::string("the value");
    if (starts_with(d, "Missing required property"))
        return SchemaProblem{pointer, "schema.required",
                             "missing required field '" + quoted_name(d, 0) + "'"};
    if (starts_with(d, "Object contains a property")) {
        const std::string key = quoted_name(d, d.find(": '"));
        std::string message = "unknown field '" + key + "'";
        if (auto near = closest_member(nodes, key)) message += " (did you mean '" + *near + "'?)";
        return SchemaProblem{pointer + "/" + pointer_token(key), "schema.additionalProperties",
                             message};
    }
    if (starts_with(d, "Value type not permitted")) {
        std::vector<std::string> expected;
        for (const auto& t : expected_types(nodes)) expected.push_back(with_article(t));
        std::string found = value ? with_article(schema_type_name(*value)) : "another type";
        if (value && !value->is_object() && !value->is_array()) found += " (" + shown + ")";
        return SchemaProblem{pointer, "schema.type",
                             expected.empty()
                                 ? "wrong type: " + found + " is not allowed here"
                                 : "wrong type: expected " + one_of(expected) + ", found " + found};
    }
    if (starts_with(d, "Failed to match against any enum values") ||
        starts_with(d, "Failed to match expected value set by 'const'")) {
        const std::vector<std::string> allowed = allowed_values(nodes);
        const std::string rule =
            starts_with(d, "Failed to match against any enum") ? "schema.enum" : "schema.const";
        if (allowed.size() == 1)
            return SchemaProblem{pointer, rule,
                                 shown + " is not allowed here: expected " + allowed[0]};
        return SchemaProblem{
            pointer, rule,
            allowed.empty() ? shown + " is not one of the allowed values"
                            : shown + " is not allowed here: expected one of " + one_of(allowed)};
    }
    if (starts_with(d, "Failed to match regex")) {
        std::string pattern;
        for (const Value* n : nodes)
            if (const Value* p = member(*n, "pattern"); p && p->is_string())
                pattern = p->get<std::string>();
        return SchemaProblem{pointer, "schema.pattern",
                             shown + " does not have the required form" +
                                 (pattern.empty() ? std::string() : " (pattern " + pattern + ")")};
    }
    struct Bound {
        std::string_view prefix;
        const char* keyword;
        const char* rule;
        const char* before;  // words before the limit
        const char* after;   // and after it
    };
    static constexpr Bound kBounds[] = {
        {"String should be no more than", "maxLength", "schema.maxLength", "is longer than ",
         " characters"},
        {"String should be no fewer than", "minLength", "schema.minLength", "is shorter than ",
         " characters"},
        {"Expected number greater than", "minimum", "schema.minimum", "is below the minimum ", ""},
        {"Expected number less than", "maximum", "schema.maximum", "is above the maximum ", ""},
        {"Array should contain no fewer than", "minItems", "schema.minItems", "has fewer than ",
         " items"},
        {"Array should contain no more than", "maxItems", "schema.maxItems", "has more than ",
         " items"},
    };
    for (const Bound& b : kBounds)
        if (starts_with(d, b.prefix)) {
            auto limit = keyword_number(nodes, b.keyword);
            std::string subject =
                value && (value->is_string() || value->is_number())
                    ? shown
                    : std::string(value && value->is_array() ? "the list" : "the value");
            return SchemaProblem{
                pointer, b.rule,
                subject + " " + b.before + (limit ? *limit : "the limit") + b.after};
        }
    if (starts_with(d, "Elements at indexes #")) {
        // "Elements at indexes #A and #B violate uniqueness constraint."
        std::size_t a = d.find('#') + 1;
        std::size_t b = d.find("and #");
        std::string first(d.substr(a, d.find(' ', a) - a));
        std::string second = b == std::string_view::npos
                                 ? std::string()
                                 : std::string(d.substr(b + 5, d.find(' ', b + 5) - (b + 5)));
        return SchemaProblem{pointer + "/" + second, "schema.uniqueItems",
                             "duplicate entry (the same as " + pointer + "/" + first + ")"};
    }
    std::string message(d);
    if (!message.empty() && message.back() == '.') message.pop_back();
    return SchemaProblem{pointer, "schema", message};
}

}  // namespace otasign::json
