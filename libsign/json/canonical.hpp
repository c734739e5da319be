#pragma once
// RFC 8785 JSON Canonicalization Scheme. Iterative (no recursion), so depth is bounded only by
// memory, never by the call stack.

#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "json/strict.hpp"

namespace otasign::json {

// The canonical UTF-8 bytes of `value`: object members sorted by UTF-16 code units, strings
// escaped as RFC 8785 3.2.2.2, numbers serialized as ECMAScript Number.prototype.toString.
// Integers in nlohmann's int64/uint64 form are serialized as the double they denote.
// Precondition: `value` came from parse_strict (finite numbers, valid UTF-8).
std::string canonicalize(const Value& value);

// Receives canonical bytes piece by piece; an error stops the writing and is returned as is.
using ByteSink = std::function<Status(std::string_view)>;

// Reads `bytes` by exactly parse_strict's rules and writes the canonical bytes of the value to
// `sink` in pieces of at most 64 KiB, without building a Value or copying the input: it keeps an
// index of object members (8 bytes per member, 20 per object) and reads the strings and numbers
// from `bytes` again as it writes. Nothing reaches `sink` unless the whole input is valid.
// Errors: InvalidInput with parse_strict's detail, word for word (an invalid input is read
// again by parse_strict to name the problem); whatever `sink` returns.
Status canonicalize_strict(std::string_view bytes, std::string_view source, const Limits& limits,
                           const ByteSink& sink);

// As above, into one string. Errors: as parse_strict.
Result<std::string> canonicalize_strict(std::string_view bytes, std::string_view source,
                                        const Limits& limits = {});

// ECMAScript Number::toString(x) for a finite double: shortest round trip, exponent form
// from 1e21 upward and below 1e-6, -0 written as "0".
std::string format_es6_number(double x);

}  // namespace otasign::json
