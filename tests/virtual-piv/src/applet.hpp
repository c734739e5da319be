#pragma once
// The PIV applet of a YubiKey 5 at the APDU level: NIST SP 800-73-4 commands plus Yubico's
// extensions (GET VERSION, GET SERIAL, GET METADATA, ATTEST, SET MANAGEMENT KEY, SET PIN RETRIES,
// IMPORT KEY, RESET). It holds the security status of one card session; the CardState it is
// given is what survives power cycles.

#include "bytes.hpp"
#include "state.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>

namespace vpiv {

enum class TouchResult { touched, timed_out };

// Where the applet waits for the operator's touch; the card process implements it.
class TouchSensor {
public:
    virtual ~TouchSensor() = default;
    virtual TouchResult wait_for_touch(std::uint8_t slot) = 0;
};

class Applet {
public:
    // `persist` is called after every change to `state`.
    Applet(CardState& state, std::function<void()> persist, TouchSensor& touch,
           std::chrono::seconds touch_cache);

    // One command APDU in, one response APDU (data followed by SW1 SW2) out.
    Bytes process(const Bytes& apdu);
    // Power off, power on or warm reset: the session's security status and cached touches are gone.
    void reset_session();

private:
    struct Command {
        std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;
        Bytes data;
        bool extended = false;
    };
    struct Reply {
        Bytes data;
        std::uint16_t sw = 0x9000;
    };

    // Leaving the PIV applet: its security status is gone (a cached touch stays).
    void deselect();
    Reply dispatch(const Command& c);
    Reply select(const Command& c);
    Reply get_data(const Command& c);
    Reply put_data(const Command& c);
    Reply verify(const Command& c);
    Reply change_reference(const Command& c);
    Reply reset_retry_counter(const Command& c);
    Reply general_authenticate(const Command& c);
    Reply management_authenticate(const Command& c, const std::vector<Tlv>& inner);
    Reply generate(const Command& c);
    Reply import_key(const Command& c);
    Reply attest(const Command& c);
    Reply metadata(const Command& c);
    Reply set_management_key(const Command& c);
    Reply set_pin_retries(const Command& c);
    Reply reset_applet(const Command& c);

    // Checks a PIN or PUK against `stored`, counting down `counter`; 9000, 63Cx or 6983.
    std::uint16_t check_secret(const Bytes& candidate, const Bytes& stored, Counter& counter);
    bool touch_allowed(std::uint8_t slot, std::uint8_t touch_policy);
    void save() { m_persist(); }

    CardState& m_state;
    std::function<void()> m_persist;
    TouchSensor& m_touch;
    std::chrono::seconds m_touch_cache;

    bool m_selected = false;
    bool m_pin_verified = false;
    // PIN policy "always": a VERIFY must come before each use of such a key.
    bool m_pin_fresh = false;
    bool m_mgmt_authenticated = false;
    std::optional<Bytes> m_mgmt_witness;    // plaintext the host must return
    std::optional<Bytes> m_mgmt_challenge;  // challenge for single authentication
    Bytes m_chain;
    std::uint8_t m_chain_ins = 0;
    bool m_chaining = false;
    Bytes m_pending;  // response bytes left for GET RESPONSE
    std::map<std::uint8_t, std::chrono::steady_clock::time_point> m_last_touch;
};

}  // namespace vpiv
