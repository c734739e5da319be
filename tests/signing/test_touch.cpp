// The touch requirement a PIV slot's touch policy byte gives `otasign sign --touch auto`.

#include <catch2/catch.hpp>

#include "piv/types.hpp"
#include "signing/piv_facts.hpp"

using otasign::piv::TouchPolicy;
using otasign::signing::touch_requirement;
using otasign::signing::TouchRequirement;

TEST_CASE("touch: always and cached ask for a touch, never does not, default is not known") {
    CHECK(touch_requirement(std::uint8_t(TouchPolicy::always)) == TouchRequirement::always);
    // A cached touch may be asked for: the operator is told to touch rather than left waiting.
    CHECK(touch_requirement(std::uint8_t(TouchPolicy::cached)) == TouchRequirement::always);
    CHECK(touch_requirement(std::uint8_t(TouchPolicy::never)) == TouchRequirement::never);
    // "default" depends on the slot and the firmware.
    CHECK(touch_requirement(std::uint8_t(TouchPolicy::card_default)) == TouchRequirement::unknown);
    CHECK(touch_requirement(0x7f) == TouchRequirement::unknown);
}
