#include "applet.hpp"

#include <algorithm>
#include <cstdio>

namespace vpiv {
namespace {

constexpr std::uint16_t sw_ok = 0x9000;
constexpr std::uint16_t sw_wrong_length = 0x6700;
constexpr std::uint16_t sw_security_status = 0x6982;
constexpr std::uint16_t sw_auth_blocked = 0x6983;
constexpr std::uint16_t sw_conditions = 0x6985;
constexpr std::uint16_t sw_incorrect_data = 0x6a80;
constexpr std::uint16_t sw_not_found = 0x6a82;
constexpr std::uint16_t sw_incorrect_p1p2 = 0x6a86;
constexpr std::uint16_t sw_reference_not_found = 0x6a88;
constexpr std::uint16_t sw_ins_not_supported = 0x6d00;
constexpr std::uint16_t sw_cla_not_supported = 0x6e00;

constexpr std::uint8_t key_pin = 0x80;
constexpr std::uint8_t key_puk = 0x81;
constexpr std::uint8_t key_mgmt = 0x9b;
constexpr std::uint8_t slot_attestation = 0xf9;
constexpr std::uint32_t object_attestation_cert = 0x5fff01;
constexpr std::uint32_t object_printed = 0x5fc109;

const Bytes piv_aid{0xa0, 0x00, 0x00, 0x03, 0x08};
// Other YubiKey applets: libykpiv selects the management applet (the OTP applet on older keys)
// to drop the PIV security status before it reads the PIN retry counter.
const Bytes management_aid{0xa0, 0x00, 0x00, 0x05, 0x27, 0x47, 0x11, 0x17};
const Bytes otp_aid{0xa0, 0x00, 0x00, 0x05, 0x27, 0x20, 0x01};

bool is_key_slot(std::uint8_t ref) {
    return ref == 0x9a || ref == 0x9c || ref == 0x9d || ref == 0x9e || (ref >= 0x82 && ref <= 0x95) ||
           ref == slot_attestation;
}

std::size_t ec_field_bytes(Algorithm alg) { return alg == Algorithm::eccp256 ? 32 : 48; }
std::size_t rsa_bytes(Algorithm alg) { return alg == Algorithm::rsa1024 ? 128 : 256; }

// YubiKey defaults when GENERATE or IMPORT leaves a policy out.
std::uint8_t default_pin_policy(std::uint8_t slot) {
    if (slot == 0x9c) return 3;
    if (slot == 0x9e) return 1;
    return 2;
}

// A PIN or PUK as sent on the wire: 6 to 8 bytes, padded to 8 with 0xFF.
bool well_formed_secret(const Bytes& b) {
    if (b.size() != 8) return false;
    std::size_t len = 0;
    while (len < 8 && b[len] != 0xff) ++len;
    for (std::size_t i = len; i < 8; ++i)
        if (b[i] != 0xff) return false;
    return len >= 6;
}

bool constant_time_equal(const Bytes& a, const Bytes& b) {
    if (a.size() != b.size()) return false;
    std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

std::uint16_t retries_sw(std::uint8_t remaining) {
    return static_cast<std::uint16_t>(0x63c0 | std::min<std::uint8_t>(remaining, 15));
}

}  // namespace

Applet::Applet(CardState& state, std::function<void()> persist, TouchSensor& touch,
               std::chrono::seconds touch_cache)
    : m_state(state), m_persist(std::move(persist)), m_touch(touch), m_touch_cache(touch_cache) {}

void Applet::reset_session() {
    deselect();
    m_last_touch.clear();
}

void Applet::deselect() {
    m_selected = false;
    m_pin_verified = false;
    m_pin_fresh = false;
    m_mgmt_authenticated = false;
    m_mgmt_witness.reset();
    m_mgmt_challenge.reset();
    m_chain.clear();
    m_chaining = false;
    m_pending.clear();
}

Bytes Applet::process(const Bytes& apdu) {
    auto finish = [](Bytes data, std::uint16_t sw) {
        data.push_back(static_cast<std::uint8_t>(sw >> 8));
        data.push_back(static_cast<std::uint8_t>(sw & 0xff));
        return data;
    };
    if (apdu.size() < 4) return finish({}, sw_wrong_length);
    Command c;
    c.cla = apdu[0];
    c.ins = apdu[1];
    c.p1 = apdu[2];
    c.p2 = apdu[3];
    std::size_t n = apdu.size();
    // Le: how much the host accepts (0 means 256 for short APDUs). libykpiv sends none and
    // takes whatever comes, so "absent" is treated as 256 as well.
    std::size_t le = 256;
    if (n > 5 && apdu[4] == 0 && n >= 7) {
        c.extended = true;
        std::size_t lc = static_cast<std::size_t>(apdu[5]) << 8 | apdu[6];
        if (n != 7) {
            if (n != 7 + lc && n != 9 + lc) return finish({}, sw_wrong_length);
            c.data.assign(apdu.begin() + 7, apdu.begin() + 7 + static_cast<std::ptrdiff_t>(lc));
        }
    } else if (n > 5) {
        std::size_t lc = apdu[4];
        if (n != 5 + lc && n != 6 + lc) return finish({}, sw_wrong_length);
        c.data.assign(apdu.begin() + 5, apdu.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
        if (n == 6 + lc && apdu[n - 1] != 0) le = apdu[n - 1];
    } else if (n == 5 && apdu[4] != 0) {
        le = apdu[4];
    }
    // 61xx: more data waits for GET RESPONSE; xx = 00 when 256 or more bytes remain.
    auto more_data = [](std::size_t remaining) {
        return static_cast<std::uint16_t>(0x6100 | (remaining > 0xff ? 0 : remaining));
    };
    if ((c.cla & ~0x10) != 0x00) return finish({}, sw_cla_not_supported);

    if (c.ins == 0xc0) {
        if (m_pending.empty()) return finish({}, sw_conditions);
        std::size_t take = std::min<std::size_t>(m_pending.size(), le);
        Bytes out(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(take));
        m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(take));
        if (m_pending.empty()) return finish(out, sw_ok);
        return finish(out, more_data(m_pending.size()));
    }
    m_pending.clear();

    if (c.cla & 0x10) {
        if (m_chaining && m_chain_ins != c.ins) m_chain.clear();
        m_chaining = true;
        m_chain_ins = c.ins;
        m_chain.insert(m_chain.end(), c.data.begin(), c.data.end());
        return finish({}, sw_ok);
    }
    if (m_chaining) {
        if (m_chain_ins == c.ins) {
            m_chain.insert(m_chain.end(), c.data.begin(), c.data.end());
            c.data = std::move(m_chain);
        }
        m_chain.clear();
        m_chaining = false;
    }

    Reply r = dispatch(c);
    if (!c.extended && r.data.size() > 256) {
        Bytes first(r.data.begin(), r.data.begin() + 256);
        m_pending.assign(r.data.begin() + 256, r.data.end());
        return finish(first, more_data(m_pending.size()));
    }
    return finish(std::move(r.data), r.sw);
}

Applet::Reply Applet::dispatch(const Command& c) {
    if (c.ins == 0xa4) return select(c);
    if (!m_selected) return {{}, sw_ins_not_supported};
    switch (c.ins) {
    case 0xcb: return get_data(c);
    case 0xdb: return put_data(c);
    case 0x20: return verify(c);
    case 0x24: return change_reference(c);
    case 0x2c: return reset_retry_counter(c);
    case 0x87: return general_authenticate(c);
    case 0x47: return generate(c);
    case 0xfe: return import_key(c);
    case 0xf9: return attest(c);
    case 0xf7: return metadata(c);
    case 0xff: return set_management_key(c);
    case 0xfa: return set_pin_retries(c);
    case 0xfb: return reset_applet(c);
    case 0xfd: return {{m_state.version[0], m_state.version[1], m_state.version[2]}, sw_ok};
    case 0xf8:
        return {{static_cast<std::uint8_t>(m_state.serial >> 24), static_cast<std::uint8_t>(m_state.serial >> 16),
                 static_cast<std::uint8_t>(m_state.serial >> 8), static_cast<std::uint8_t>(m_state.serial)},
                sw_ok};
    default: return {{}, sw_ins_not_supported};
    }
}

Applet::Reply Applet::select(const Command& c) {
    if (c.p1 != 0x04) return {{}, sw_incorrect_p1p2};
    // Partial AIDs select too: SP 800-73-4 lets the host send the 5-byte RID+PIX prefix.
    bool piv = c.data.size() >= piv_aid.size() && c.data.size() <= 11 &&
               std::equal(piv_aid.begin(), piv_aid.end(), c.data.begin());
    if (!piv) {
        // Like a YubiKey (OpenSC's CI_OTHER_AID_LOSE_STATE), selecting anything else, even an
        // AID the card does not have, leaves the PIV applet and ends its security status.
        // Re-selecting PIV keeps it (SP 800-73-4 part 2, 3.1.1).
        deselect();
        auto is = [&](const Bytes& aid) {
            return c.data.size() >= aid.size() && std::equal(aid.begin(), aid.end(), c.data.begin());
        };
        if (!is(management_aid) && !is(otp_aid)) return {{}, sw_not_found};
        // The other applets are not emulated beyond their SELECT; the management applet
        // answers with its version string.
        char version[16];
        int n = std::snprintf(version, sizeof version, "%u.%u.%u", m_state.version[0], m_state.version[1],
                              m_state.version[2]);
        return {Bytes(version, version + n), sw_ok};
    }
    m_selected = true;
    // Application property template: PIX of the applet and the coexistent tag allocation authority.
    Bytes apt{0x4f, 0x06, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x79, 0x07, 0x4f, 0x05, 0xa0, 0x00, 0x00, 0x03, 0x08};
    return {tlv(0x61, apt), sw_ok};
}

Applet::Reply Applet::get_data(const Command& c) {
    if (c.p1 != 0x3f || c.p2 != 0xff) return {{}, sw_incorrect_p1p2};
    auto tlvs = parse_tlvs(c.data);
    if (!tlvs || tlvs->size() != 1 || (*tlvs)[0].tag != 0x5c) return {{}, sw_incorrect_data};
    const Bytes& id = (*tlvs)[0].value;
    if (id == Bytes{0x7e}) {
        // Discovery object: the PIV AID and a PIN usage policy of "PIV PIN only".
        Bytes body = tlv(0x4f, Bytes{0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00});
        append_tlv(body, 0x5f2f, Bytes{0x40, 0x00});
        return {tlv(0x7e, body), sw_ok};
    }
    if (id.size() != 3) return {{}, sw_not_found};
    std::uint32_t object = static_cast<std::uint32_t>(id[0]) << 16 | static_cast<std::uint32_t>(id[1]) << 8 | id[2];
    auto it = m_state.objects.find(object);
    if (it == m_state.objects.end()) return {{}, sw_not_found};
    if (object == object_printed && !m_pin_verified) return {{}, sw_security_status};
    return {tlv(0x53, it->second), sw_ok};
}

Applet::Reply Applet::put_data(const Command& c) {
    if (c.p1 != 0x3f || c.p2 != 0xff) return {{}, sw_incorrect_p1p2};
    if (!m_mgmt_authenticated) return {{}, sw_security_status};
    auto tlvs = parse_tlvs(c.data);
    if (!tlvs || tlvs->size() != 2 || (*tlvs)[0].tag != 0x5c || (*tlvs)[1].tag != 0x53)
        return {{}, sw_incorrect_data};
    const Bytes& id = (*tlvs)[0].value;
    if (id.size() != 3 || id[0] != 0x5f || (id[1] != 0xc1 && id[1] != 0xff)) return {{}, sw_incorrect_data};
    std::uint32_t object = static_cast<std::uint32_t>(id[0]) << 16 | static_cast<std::uint32_t>(id[1]) << 8 | id[2];
    // The YubiKey holds objects of up to 3052 bytes.
    if ((*tlvs)[1].value.size() > 3052) return {{}, sw_incorrect_data};
    if ((*tlvs)[1].value.empty())
        m_state.objects.erase(object);
    else
        m_state.objects[object] = (*tlvs)[1].value;
    save();
    return {{}, sw_ok};
}

std::uint16_t Applet::check_secret(const Bytes& candidate, const Bytes& stored, Counter& counter) {
    if (counter.remaining == 0) return sw_auth_blocked;
    if (constant_time_equal(candidate, stored)) {
        if (counter.remaining != counter.total) {
            counter.remaining = counter.total;
            save();
        }
        return sw_ok;
    }
    --counter.remaining;
    save();
    return retries_sw(counter.remaining);
}

Applet::Reply Applet::verify(const Command& c) {
    if (c.p1 == 0xff && c.data.empty()) {
        m_pin_verified = false;
        m_pin_fresh = false;
        return {{}, sw_ok};
    }
    if (c.p1 != 0x00) return {{}, sw_incorrect_p1p2};
    if (c.p2 != key_pin) return {{}, sw_reference_not_found};
    if (c.data.empty()) {
        if (m_state.pin_tries.remaining == 0) return {{}, sw_auth_blocked};
        if (m_pin_verified) return {{}, sw_ok};
        return {{}, retries_sw(m_state.pin_tries.remaining)};
    }
    if (c.data.size() != 8) return {{}, sw_incorrect_data};
    std::uint16_t sw = check_secret(c.data, m_state.pin, m_state.pin_tries);
    m_pin_verified = sw == sw_ok;
    m_pin_fresh = sw == sw_ok;
    return {{}, sw};
}

Applet::Reply Applet::change_reference(const Command& c) {
    if (c.p1 != 0x00) return {{}, sw_incorrect_p1p2};
    if (c.p2 != key_pin && c.p2 != key_puk) return {{}, sw_reference_not_found};
    if (c.data.size() != 16) return {{}, sw_incorrect_data};
    Bytes current(c.data.begin(), c.data.begin() + 8);
    Bytes next(c.data.begin() + 8, c.data.end());
    bool pin = c.p2 == key_pin;
    Counter& counter = pin ? m_state.pin_tries : m_state.puk_tries;
    std::uint16_t sw = check_secret(current, pin ? m_state.pin : m_state.puk, counter);
    if (sw != sw_ok) {
        if (pin) m_pin_verified = m_pin_fresh = false;
        return {{}, sw};
    }
    if (!well_formed_secret(next)) return {{}, sw_incorrect_data};
    (pin ? m_state.pin : m_state.puk) = next;
    save();
    return {{}, sw_ok};
}

Applet::Reply Applet::reset_retry_counter(const Command& c) {
    if (c.p1 != 0x00) return {{}, sw_incorrect_p1p2};
    if (c.p2 != key_pin) return {{}, sw_reference_not_found};
    if (c.data.size() != 16) return {{}, sw_incorrect_data};
    Bytes puk(c.data.begin(), c.data.begin() + 8);
    Bytes new_pin(c.data.begin() + 8, c.data.end());
    std::uint16_t sw = check_secret(puk, m_state.puk, m_state.puk_tries);
    if (sw != sw_ok) return {{}, sw};
    if (!well_formed_secret(new_pin)) return {{}, sw_incorrect_data};
    m_state.pin = new_pin;
    m_state.pin_tries.remaining = m_state.pin_tries.total;
    save();
    return {{}, sw_ok};
}

bool Applet::touch_allowed(std::uint8_t slot, std::uint8_t touch_policy) {
    if (touch_policy != 2 && touch_policy != 3) return true;
    auto now = std::chrono::steady_clock::now();
    if (touch_policy == 3) {
        auto it = m_last_touch.find(slot);
        if (it != m_last_touch.end() && now - it->second < m_touch_cache) return true;
    }
    if (m_touch.wait_for_touch(slot) != TouchResult::touched) return false;
    m_last_touch[slot] = std::chrono::steady_clock::now();
    return true;
}

Applet::Reply Applet::general_authenticate(const Command& c) {
    auto outer = parse_tlvs(c.data);
    if (!outer || outer->size() != 1 || (*outer)[0].tag != 0x7c) return {{}, sw_incorrect_data};
    auto inner = parse_tlvs((*outer)[0].value);
    if (!inner) return {{}, sw_incorrect_data};
    if (c.p2 == key_mgmt) return management_authenticate(c, *inner);

    if (!is_key_slot(c.p2)) return {{}, sw_incorrect_p1p2};
    auto it = m_state.keys.find(c.p2);
    if (it == m_state.keys.end()) return {{}, sw_reference_not_found};
    KeySlot& slot = it->second;
    if (c.p1 != static_cast<std::uint8_t>(slot.algorithm)) return {{}, sw_incorrect_data};
    const Tlv* response = find_tlv(*inner, 0x82);
    const Tlv* challenge = find_tlv(*inner, 0x81);
    const Tlv* exponentiation = find_tlv(*inner, 0x85);
    if (!response || !response->value.empty() || (!challenge && !exponentiation)) return {{}, sw_incorrect_data};

    if ((slot.pin_policy == 2 && !m_pin_verified) || (slot.pin_policy == 3 && !(m_pin_verified && m_pin_fresh)))
        return {{}, sw_security_status};
    if (challenge) {
        std::size_t expected = is_ec(slot.algorithm) ? ec_field_bytes(slot.algorithm) : rsa_bytes(slot.algorithm);
        if (challenge->value.empty() || challenge->value.size() > expected ||
            (!is_ec(slot.algorithm) && challenge->value.size() != expected))
            return {{}, sw_incorrect_data};
    } else if (!is_ec(slot.algorithm) || exponentiation->value.size() != 1 + 2 * ec_field_bytes(slot.algorithm)) {
        return {{}, sw_incorrect_data};
    }
    if (!touch_allowed(c.p2, slot.touch_policy)) return {{}, sw_security_status};
    if (slot.pin_policy == 3) m_pin_fresh = false;

    std::optional<Bytes> result;
    if (exponentiation)
        result = ecdh(slot.key.get(), exponentiation->value);
    else if (is_ec(slot.algorithm))
        result = ecdsa_sign_raw(slot.key.get(), challenge->value);
    else
        result = rsa_raw_private(slot.key.get(), challenge->value);
    if (!result) return {{}, sw_incorrect_data};
    return {tlv(0x7c, tlv(0x82, *result)), sw_ok};
}

Applet::Reply Applet::management_authenticate(const Command& c, const std::vector<Tlv>& inner) {
    // P1 must name the key's algorithm: a YubiKey 5.7 with its AES-192 default answers 6A80 to
    // the 3DES authentication older middleware (libykpiv 2.2) sends.
    const Algorithm alg = m_state.mgmt_algorithm;
    if (c.p1 != static_cast<std::uint8_t>(alg)) return {{}, sw_incorrect_data};
    const std::size_t block = management_block_size(alg);
    const Tlv* witness = find_tlv(inner, 0x80);
    const Tlv* challenge = find_tlv(inner, 0x81);
    const Tlv* response = find_tlv(inner, 0x82);
    auto fail = [this]() -> Reply {
        m_mgmt_authenticated = false;
        m_mgmt_witness.reset();
        m_mgmt_challenge.reset();
        return {{}, sw_security_status};
    };

    // Step 1 of mutual authentication: the card sends an encrypted witness.
    if (witness && witness->value.empty() && !challenge && !response) {
        m_mgmt_authenticated = false;
        Bytes plain = random_bytes(block);
        auto encrypted = management_block(alg, m_state.mgmt_key, plain, CipherDirection::encrypt);
        if (!encrypted) return fail();
        m_mgmt_witness = plain;
        m_mgmt_challenge.reset();
        return {tlv(0x7c, tlv(0x80, *encrypted)), sw_ok};
    }
    // Step 2: the host returns the decrypted witness and challenges the card in turn.
    if (witness && challenge && !response) {
        if (!m_mgmt_witness || !constant_time_equal(witness->value, *m_mgmt_witness) ||
            challenge->value.size() != block)
            return fail();
        m_mgmt_witness.reset();
        if (m_state.mgmt_touch == 2 && m_touch.wait_for_touch(key_mgmt) != TouchResult::touched) return fail();
        auto encrypted =
            management_block(alg, m_state.mgmt_key, challenge->value, CipherDirection::encrypt);
        if (!encrypted) return fail();
        m_mgmt_authenticated = true;
        return {tlv(0x7c, tlv(0x82, *encrypted)), sw_ok};
    }
    // Single authentication: the card sends a challenge, the host returns it encrypted.
    if (challenge && challenge->value.empty() && !witness && !response) {
        m_mgmt_authenticated = false;
        m_mgmt_challenge = random_bytes(block);
        m_mgmt_witness.reset();
        return {tlv(0x7c, tlv(0x81, *m_mgmt_challenge)), sw_ok};
    }
    if (response && !witness && !challenge) {
        if (!m_mgmt_challenge) return fail();
        auto expected =
            management_block(alg, m_state.mgmt_key, *m_mgmt_challenge, CipherDirection::encrypt);
        m_mgmt_challenge.reset();
        if (!expected || !constant_time_equal(*expected, response->value)) return fail();
        if (m_state.mgmt_touch == 2 && m_touch.wait_for_touch(key_mgmt) != TouchResult::touched) return fail();
        m_mgmt_authenticated = true;
        return {{}, sw_ok};
    }
    return fail();
}

namespace {

struct Policies {
    std::uint8_t pin = 0;
    std::uint8_t touch = 0;
    bool valid = true;
};

Policies read_policies(const std::vector<Tlv>& tlvs, std::uint8_t slot) {
    Policies p;
    if (const Tlv* t = find_tlv(tlvs, 0xaa)) {
        if (t->value.size() != 1 || t->value[0] > 3) p.valid = false;
        else p.pin = t->value[0];
    }
    if (const Tlv* t = find_tlv(tlvs, 0xab)) {
        if (t->value.size() != 1 || t->value[0] > 3) p.valid = false;
        else p.touch = t->value[0];
    }
    if (p.pin == 0) p.pin = default_pin_policy(slot);
    if (p.touch == 0) p.touch = 1;
    return p;
}

}  // namespace

Applet::Reply Applet::generate(const Command& c) {
    if (c.p1 != 0x00) return {{}, sw_incorrect_p1p2};
    if (!is_key_slot(c.p2)) return {{}, sw_incorrect_p1p2};
    if (!m_mgmt_authenticated) return {{}, sw_security_status};
    auto outer = parse_tlvs(c.data);
    if (!outer || outer->size() != 1 || (*outer)[0].tag != 0xac) return {{}, sw_incorrect_data};
    auto inner = parse_tlvs((*outer)[0].value);
    if (!inner) return {{}, sw_incorrect_data};
    const Tlv* alg = find_tlv(*inner, 0x80);
    if (!alg || alg->value.size() != 1 || !is_asymmetric(alg->value[0])) return {{}, sw_incorrect_data};
    Policies policies = read_policies(*inner, c.p2);
    if (!policies.valid) return {{}, sw_incorrect_data};
    auto algorithm = static_cast<Algorithm>(alg->value[0]);
    auto key = generate_key(algorithm);
    if (!key) return {{}, sw_incorrect_data};
    Bytes public_key = public_key_tlvs(key->get());
    m_state.keys[c.p2] = KeySlot{algorithm, policies.pin, policies.touch, Origin::generated, std::move(*key)};
    m_last_touch.erase(c.p2);
    save();
    return {tlv(0x7f49, public_key), sw_ok};
}

Applet::Reply Applet::import_key(const Command& c) {
    if (!is_key_slot(c.p2)) return {{}, sw_incorrect_p1p2};
    if (!is_asymmetric(c.p1)) return {{}, sw_incorrect_p1p2};
    if (!m_mgmt_authenticated) return {{}, sw_security_status};
    auto tlvs = parse_tlvs(c.data);
    if (!tlvs) return {{}, sw_incorrect_data};
    auto algorithm = static_cast<Algorithm>(c.p1);
    std::optional<Pkey> key;
    if (is_ec(algorithm)) {
        const Tlv* scalar = find_tlv(*tlvs, 0x06);
        if (scalar) key = ec_key_from_scalar(algorithm, scalar->value);
    } else {
        const Tlv* p = find_tlv(*tlvs, 0x01);
        const Tlv* q = find_tlv(*tlvs, 0x02);
        if (p && q) key = rsa_key_from_primes(algorithm, p->value, q->value);
    }
    if (!key) return {{}, sw_incorrect_data};
    Policies policies = read_policies(*tlvs, c.p2);
    if (!policies.valid) return {{}, sw_incorrect_data};
    m_state.keys[c.p2] = KeySlot{algorithm, policies.pin, policies.touch, Origin::imported, std::move(*key)};
    m_last_touch.erase(c.p2);
    save();
    return {{}, sw_ok};
}

Applet::Reply Applet::attest(const Command& c) {
    if (c.p2 != 0x00) return {{}, sw_incorrect_p1p2};
    if (!is_key_slot(c.p1) || c.p1 == slot_attestation) return {{}, sw_incorrect_p1p2};
    auto it = m_state.keys.find(c.p1);
    if (it == m_state.keys.end()) return {{}, sw_reference_not_found};
    // A YubiKey only vouches for keys it generated itself.
    if (it->second.origin != Origin::generated) return {{}, sw_incorrect_data};
    auto signer = m_state.keys.find(slot_attestation);
    auto object = m_state.objects.find(object_attestation_cert);
    if (signer == m_state.keys.end() || object == m_state.objects.end()) return {{}, sw_reference_not_found};
    auto fields = parse_tlvs(object->second);
    const Tlv* der = fields ? find_tlv(*fields, 0x70) : nullptr;
    auto issuer = der ? cert_from_der(der->value) : std::nullopt;
    if (!issuer) return {{}, sw_reference_not_found};
    AttestationFacts facts;
    facts.slot = c.p1;
    std::copy(std::begin(m_state.version), std::end(m_state.version), facts.firmware);
    facts.serial = m_state.serial;
    facts.pin_policy = it->second.pin_policy;
    facts.touch_policy = it->second.touch_policy;
    facts.form_factor = 0x01;  // USB-A keychain
    auto cert = make_attestation(it->second.key.get(), signer->second.key.get(), issuer->get(), facts);
    if (!cert) return {{}, sw_incorrect_data};
    return {*cert, sw_ok};
}

Applet::Reply Applet::metadata(const Command& c) {
    if (c.p1 != 0x00) return {{}, sw_incorrect_p1p2};
    Bytes out;
    if (c.p2 == key_pin || c.p2 == key_puk) {
        bool pin = c.p2 == key_pin;
        const Counter& counter = pin ? m_state.pin_tries : m_state.puk_tries;
        bool is_default = pin ? m_state.pin == default_pin() : m_state.puk == default_puk();
        append_tlv(out, 0x01, Bytes{0xff});
        append_tlv(out, 0x05, Bytes{static_cast<std::uint8_t>(is_default ? 1 : 0)});
        append_tlv(out, 0x06, Bytes{counter.total, counter.remaining});
        return {out, sw_ok};
    }
    if (c.p2 == key_mgmt) {
        append_tlv(out, 0x01, Bytes{static_cast<std::uint8_t>(m_state.mgmt_algorithm)});
        append_tlv(out, 0x02, Bytes{0x00, m_state.mgmt_touch});
        append_tlv(out, 0x05, Bytes{static_cast<std::uint8_t>(m_state.mgmt_key == default_mgmt_key() ? 1 : 0)});
        return {out, sw_ok};
    }
    if (!is_key_slot(c.p2)) return {{}, sw_incorrect_p1p2};
    auto it = m_state.keys.find(c.p2);
    if (it == m_state.keys.end()) return {{}, sw_reference_not_found};
    const KeySlot& slot = it->second;
    append_tlv(out, 0x01, Bytes{static_cast<std::uint8_t>(slot.algorithm)});
    append_tlv(out, 0x02, Bytes{slot.pin_policy, slot.touch_policy});
    append_tlv(out, 0x03, Bytes{static_cast<std::uint8_t>(slot.origin)});
    append_tlv(out, 0x04, public_key_tlvs(slot.key.get()));
    return {out, sw_ok};
}

Applet::Reply Applet::set_management_key(const Command& c) {
    if (c.p1 != 0xff || (c.p2 != 0xff && c.p2 != 0xfe)) return {{}, sw_incorrect_p1p2};
    if (!m_mgmt_authenticated) return {{}, sw_security_status};
    if (c.data.size() < 3 || !is_management_algorithm(c.data[0]) || c.data[1] != key_mgmt)
        return {{}, sw_incorrect_data};
    const auto alg = static_cast<Algorithm>(c.data[0]);
    // AES management keys came with firmware 5.4.2.
    if (alg != Algorithm::tdes && !firmware_at_least(m_state.version, 5, 4, 2))
        return {{}, sw_incorrect_data};
    if (c.data[2] != management_key_length(alg) || c.data.size() != 3 + management_key_length(alg))
        return {{}, sw_incorrect_data};
    m_state.mgmt_key.assign(c.data.begin() + 3, c.data.end());
    m_state.mgmt_algorithm = alg;
    m_state.mgmt_touch = c.p2 == 0xfe ? 2 : 1;
    save();
    return {{}, sw_ok};
}

Applet::Reply Applet::set_pin_retries(const Command& c) {
    if (c.p1 == 0 || c.p2 == 0) return {{}, sw_incorrect_p1p2};
    if (!m_mgmt_authenticated || !m_pin_verified) return {{}, sw_security_status};
    // As on the YubiKey, new retry counts put the PIN and PUK back to their defaults.
    m_state.pin_tries = {c.p1, c.p1};
    m_state.puk_tries = {c.p2, c.p2};
    m_state.pin = default_pin();
    m_state.puk = default_puk();
    m_pin_verified = m_pin_fresh = false;
    save();
    return {{}, sw_ok};
}

Applet::Reply Applet::reset_applet(const Command&) {
    if (m_state.pin_tries.remaining != 0 || m_state.puk_tries.remaining != 0) return {{}, sw_conditions};
    // The factory attestation key and its certificate survive a reset, as on the YubiKey.
    auto attestation_key = m_state.keys.extract(slot_attestation);
    auto attestation_cert = m_state.objects.extract(object_attestation_cert);
    CardState fresh = fresh_state(m_state.serial, m_state.version);
    m_state = std::move(fresh);
    if (attestation_key) m_state.keys.insert(std::move(attestation_key));
    if (attestation_cert) m_state.objects.insert(std::move(attestation_cert));
    reset_session();
    m_selected = true;
    save();
    return {{}, sw_ok};
}

}  // namespace vpiv
