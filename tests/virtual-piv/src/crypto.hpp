#pragma once
// The card's cryptography, all through OpenSSL 3: key generation and import, the private-key
// operations of GENERAL AUTHENTICATE, 3DES for the management key, and attestation certificates.

#include "bytes.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>

namespace vpiv {

struct PkeyFree { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509* p) const noexcept { X509_free(p); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

// PIV algorithm identifiers (SP 800-78-4 table 6-2 plus Yubico's use of them).
enum class Algorithm : std::uint8_t {
    tdes = 0x03,
    aes128 = 0x08,
    aes192 = 0x0a,
    aes256 = 0x0c,
    rsa1024 = 0x06,
    rsa2048 = 0x07,
    eccp256 = 0x11,
    eccp384 = 0x14,
};

bool is_asymmetric(std::uint8_t alg);
bool is_ec(Algorithm alg);

std::optional<Pkey> generate_key(Algorithm alg);
// An EC key from its private scalar (IMPORT KEY tag 06); nullopt when out of range.
std::optional<Pkey> ec_key_from_scalar(Algorithm alg, const Bytes& scalar);
// An RSA key from its CRT primes (IMPORT KEY tags 01, 02; e is 65537 as on the YubiKey).
std::optional<Pkey> rsa_key_from_primes(Algorithm alg, const Bytes& p, const Bytes& q);
// The algorithm a key has, if the card can hold it.
std::optional<Algorithm> algorithm_of(EVP_PKEY* key);

// The public key as the card presents it inside 7F49: 86 <point> or 81 <n> 82 <e>.
Bytes public_key_tlvs(EVP_PKEY* key);

// ECDSA over a raw digest, DER-encoded ECDSA-Sig-Value (what a YubiKey returns in tag 82).
std::optional<Bytes> ecdsa_sign_raw(EVP_PKEY* key, const Bytes& digest);
// ECDH shared secret (x coordinate) with a peer's uncompressed point.
std::optional<Bytes> ecdh(EVP_PKEY* key, const Bytes& peer_point);
// Raw RSA private-key operation on a modulus-sized block (the host pads).
std::optional<Bytes> rsa_raw_private(EVP_PKEY* key, const Bytes& block);

// Management key algorithms (GET METADATA of 9b, GENERAL AUTHENTICATE P1, SET MANAGEMENT KEY).
bool is_management_algorithm(std::uint8_t alg);
std::size_t management_key_length(Algorithm alg);  // 24 (3DES, AES-192), 16, 32
std::size_t management_block_size(Algorithm alg);  // 8 (3DES) or 16 (AES)

enum class CipherDirection { encrypt, decrypt };
// One ECB block under a management key: 3DES (24-byte key, 8-byte block) or AES (16/24/32-byte
// key, 16-byte block); nullopt when the sizes do not fit the algorithm.
std::optional<Bytes> management_block(Algorithm alg, const Bytes& key, const Bytes& block,
                                      CipherDirection direction);

Bytes random_bytes(std::size_t n);

std::string key_to_pem(EVP_PKEY* key);
std::optional<Pkey> key_from_pem(const std::string& pem);
std::optional<Cert> cert_from_der(const Bytes& der);
std::optional<Cert> cert_from_pem_file(const std::string& path);
std::optional<Pkey> key_from_pem_file(const std::string& path);
Bytes cert_to_der(X509* cert);

struct AttestationFacts {
    std::uint8_t slot = 0;
    std::uint8_t firmware[3] = {0, 0, 0};
    std::uint32_t serial = 0;
    std::uint8_t pin_policy = 0;
    std::uint8_t touch_policy = 0;
    std::uint8_t form_factor = 0;
};

// An X.509 certificate for `subject_key`, issued and signed by the f9 attestation key and
// certificate, with Yubico's attestation extensions (OID arc 1.3.6.1.4.1.41482.3).
std::optional<Bytes> make_attestation(EVP_PKEY* subject_key, EVP_PKEY* issuer_key, X509* issuer_cert,
                                      const AttestationFacts& facts);

}  // namespace vpiv
