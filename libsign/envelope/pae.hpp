#pragma once
// DSSE v1 pre-authentication encoding: what a signature actually covers.

#include <string>
#include <string_view>

namespace otasign::envelope {

// The payload type of an otasign signed statement.
inline constexpr std::string_view kStatementPayloadType =
    "application/vnd.enigm.otasign.statement+json;version=1";

// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal
// bytes without leading zeros.
std::string pae(std::string_view type, std::string_view body);

}  // namespace otasign::envelope
