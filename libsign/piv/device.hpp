#pragma once
// PivDevice: one connection to a YubiKey's PIV applet through libykpiv (move-only; the noexcept
// destructor calls ykpiv_done, which disconnects and wipes what libykpiv holds).
//
// PINs and PUKs go to the card through raw VERIFY / CHANGE REFERENCE APDUs rather than
// ykpiv_verify / ykpiv_change_pin, because those copy the PIN into libykpiv's reconnect cache;
// the padded APDU buffer is wiped after use.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ossl.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "piv/types.hpp"

struct ykpiv_state;

namespace otasign::piv {

// GET METADATA for a key slot (firmware >= 5.3).
struct SlotMetadata {
    std::uint8_t algorithm = 0;
    std::uint8_t pin_policy = 0;
    std::uint8_t touch_policy = 0;
    std::uint8_t origin = 0;
    std::vector<std::uint8_t> public_key;  // EC: uncompressed point; RSA: DER N, E
};

// GET METADATA for the PIN (0x80), PUK (0x81) or management key (0x9b).
struct CredentialMetadata {
    std::optional<bool> is_default;
    std::optional<int> retries_total;
    std::optional<int> retries_remaining;
    std::optional<std::uint8_t> algorithm;  // management key only
};

struct SlotStatus {
    std::uint8_t slot = 0;
    std::optional<SlotMetadata> key;  // nullopt: empty slot (or metadata unsupported)
    bool certificate_present = false;
    std::string public_key_id;  // sha256 hex of the SPKI DER when the key is known
};

enum class ManagementKeyMode { manual, derived, pin_protected, unknown };

struct TokenStatus {
    std::string reader;
    std::string model;
    std::uint32_t serial = 0;
    std::string firmware;  // "5.4.3"
    int firmware_major = 0, firmware_minor = 0, firmware_patch = 0;
    bool metadata_supported = false;  // GET METADATA answered (firmware >= 5.3)
    std::optional<int> pin_retries;   // remaining
    std::optional<int> puk_retries;
    std::optional<bool> pin_default;
    std::optional<bool> puk_default;
    std::optional<bool> management_key_default;
    std::optional<std::uint8_t> management_key_algorithm;
    ManagementKeyMode management_key_mode = ManagementKeyMode::unknown;
    std::vector<SlotStatus> slots;  // 9a 9c 9d 9e
};

// What status() reads: the card alone (model, serial, firmware, retry counters: what a sign
// needs), or also the management key's mode and every key slot (what `token status` shows).
enum class StatusScope { card, card_and_slots };

class PivDevice {
  public:
    // Names of the PC/SC readers libykpiv sees. Errors: TokenError (no PC/SC service).
    static Result<std::vector<std::string>> list_readers();
    // Connects to the first reader whose name contains `reader_substring` (case-insensitive),
    // or with an empty substring to the first reader whose name says "yubikey" (else the first
    // reader). Errors: TokenNotFound (no such reader / no card), TokenError.
    static Result<PivDevice> open(std::string_view reader_substring);

    PivDevice(PivDevice&& other) noexcept;
    PivDevice& operator=(PivDevice&& other) noexcept;
    PivDevice(const PivDevice&) = delete;
    PivDevice& operator=(const PivDevice&) = delete;
    ~PivDevice();

    const std::string& reader() const { return m_reader; }
    // The card's serial number. Errors: TokenError.
    Result<std::uint32_t> serial();

    // Model, serial, firmware, retry counters (read before any PIN is verified: the fallback
    // ykpiv_get_pin_retries un-verifies the PIN), defaults, and with StatusScope::card_and_slots
    // the management key's mode and the four key slots (metadata and certificates). Errors:
    // TokenError.
    Result<TokenStatus> status(StatusScope scope = StatusScope::card_and_slots);
    // Metadata of a key slot; nullopt when the slot is empty. Errors: TokenError, or
    // TokenError with a hint when the firmware has no GET METADATA (< 5.3).
    Result<std::optional<SlotMetadata>> slot_metadata(std::uint8_t slot);
    // Errors: TokenError.
    Result<CredentialMetadata> credential_metadata(std::uint8_t reference);

    // Verifies the PIN (no caching). Errors: PinIncorrect (detail says tries left), PinLocked,
    // TokenError.
    Status verify_pin(const SecretBuffer& pin);
    // Changes the PIN (reference 0x80) or PUK (0x81). Errors: PinIncorrect, PinLocked, Usage
    // (length), TokenError.
    Status change_reference(std::uint8_t reference, const SecretBuffer& current,
                            const SecretBuffer& replacement);
    // RESET RETRY COUNTER: unblocks the PIN with the PUK and sets a new PIN (the PIN's retry
    // counter returns to its maximum). Errors: PinIncorrect (wrong PUK, detail says tries left),
    // PinLocked (PUK blocked), Usage (length), TokenError.
    Status unblock_pin(const SecretBuffer& puk, const SecretBuffer& new_pin);
    // The management key's algorithm: from GET METADATA of slot 9b, or 3DES on firmware without
    // GET METADATA (before 5.3), where 3DES is the only one. Errors: TokenError.
    Result<ManagementKeyAlgorithm> management_key_algorithm();
    // Mutual authentication (GENERAL AUTHENTICATE: witness, then challenge) with a 3DES,
    // AES-128, AES-192 or AES-256 management key, in the algorithm the card reports. Raw APDUs:
    // Debian 12's libykpiv knows only 3DES and keeps a copy of the key for reconnects.
    // Errors: Usage (key length does not fit the algorithm), TokenError ("rejected the
    // management key", or the card did not prove it knows the key).
    Status authenticate(const SecretBuffer& management_key);
    // Authenticates with the factory default key (the same 24 bytes are the 3DES default and,
    // from firmware 5.7, the AES-192 default). Errors: TokenError.
    Status authenticate_default();
    // Reads the PIN-protected management key from the PIN-protected data object 5FC109 (tag 88
    // holding tag 89, as ykman and yubico-piv-tool store it); the PIN must have been verified.
    // Errors: TokenError.
    Result<SecretBuffer> read_protected_management_key();
    // Sets a random management key (card authenticated, PIN verified): AES-192 on firmware 5.4.2
    // and later, 3DES before. Stores it PIN-protected as ykman does (5FC109, and the
    // "PIN-protected" flag in the admin data object 5FFF00), reads it back and authenticates
    // with it, so a key nobody knows is never left behind unnoticed. Returns the algorithm set.
    // Errors: TokenError.
    Result<ManagementKeyAlgorithm> set_random_protected_management_key();
    // SET MANAGEMENT KEY with an explicit algorithm (card authenticated). Errors: Usage
    // (length), TokenError.
    Status set_management_key(ManagementKeyAlgorithm algorithm, const SecretBuffer& key);

    // GENERATE ASYMMETRIC (management key authenticated). Returns the public key. Errors:
    // TokenError.
    Result<ossl::Ptr<EVP_PKEY>> generate_key(std::uint8_t slot, Algorithm algorithm,
                                             PinPolicy pin_policy, TouchPolicy touch_policy);
    // Signs a digest with the slot's EC key (PIN verified just before, as PIN policy "always"
    // requires). Returns a DER ECDSA-Sig-Value. Errors: TouchTimeout, PinIncorrect, TokenError.
    Result<std::vector<std::uint8_t>> sign_digest(std::uint8_t slot, Algorithm algorithm,
                                                  const std::vector<std::uint8_t>& digest);
    // The slot's certificate DER, nullopt when none. Errors: TokenError.
    Result<std::optional<std::vector<std::uint8_t>>> read_certificate(std::uint8_t slot);
    // Stores a certificate DER (management key authenticated). Errors: TokenError.
    Status write_certificate(std::uint8_t slot, const std::vector<std::uint8_t>& der);
    // ATTEST: an attestation certificate DER for a generated key. Errors: TokenNotFound (empty
    // slot or imported key), TokenError.
    Result<std::vector<std::uint8_t>> attest(std::uint8_t slot);
    // The device attestation certificate (f9 object). Errors: TokenError.
    Result<std::vector<std::uint8_t>> read_attestation_device_certificate();

  private:
    struct Response {
        std::vector<std::uint8_t> data;
        int sw = 0;
    };
    PivDevice(ykpiv_state* state, std::string reader);
    // One APDU through libykpiv's transport (chaining and GET RESPONSE included).
    Result<Response> transmit(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
                              std::span<const std::uint8_t> data, std::string_view what);
    ykpiv_state* m_state = nullptr;
    std::string m_reader;
};

// Where a public key lives among the connected PIV cards: reader, serial, slot and metadata.
struct LocatedKey {
    std::string reader;
    std::uint32_t serial = 0;
    std::uint8_t slot = 0;
    SlotMetadata metadata;
};
// Searches 9a 9c 9d 9e of every connected PIV card for the key whose SPKI sha256 is `key_id`;
// nullopt when none holds it. Errors: TokenError (PC/SC unavailable).
Result<std::optional<LocatedKey>> locate_key(std::string_view key_id);

// The card that holds a key, and the connection the search found it through, so that what the
// caller reads next (status, attestation) needs no second scan or connection.
struct KeyOnCard {
    LocatedKey where;
    PivDevice device;
};
// As locate_key, keeping the card's connection open. Errors: TokenError (PC/SC unavailable).
Result<std::optional<KeyOnCard>> find_key_on_card(std::string_view key_id);

// An EC public key (uncompressed point, curve by algorithm) as EVP_PKEY. Errors: InvalidInput.
Result<ossl::Ptr<EVP_PKEY>> ec_public_key(Algorithm algorithm, const std::uint8_t* point,
                                          std::size_t size);

}  // namespace otasign::piv
