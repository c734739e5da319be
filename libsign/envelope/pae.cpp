#include "envelope/pae.hpp"

namespace otasign::envelope {

std::string pae(std::string_view type, std::string_view body) {
    std::string out = "DSSEv1 ";
    out += std::to_string(type.size());
    out += ' ';
    out += type;
    out += ' ';
    out += std::to_string(body.size());
    out += ' ';
    out += body;
    return out;
}

}  // namespace otasign::envelope
