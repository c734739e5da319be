#pragma once
// RFC 8785 JSON Canonicalization Scheme. Iterative (no recursion), so depth is bounded only by
// memory, never by the call stack.

#include <string>

#include "json/strict.hpp"

namespace otasign::json {

// The canonical UTF-8 bytes of `value`: object members sorted by UTF-16 code units, strings
// escaped as RFC 8785 3.2.2.2, numbers serialized as ECMAScript Number.prototype.toString.
// Integers in nlohmann's int64/uint64 form are serialized as the double they denote.
// Precondition: `value` came from parse_strict (finite numbers, valid UTF-8).
std::string canonicalize(const Value& value);

// ECMAScript Number::toString(x) for a finite double: shortest round trip, exponent form
// from 1e21 upward and below 1e-6, -0 written as "0".
std::string format_es6_number(double x);

}  // namespace otasign::json
