#pragma once
// The signing plan of `otasign sign`: the key opened once for the whole command, the facts of
// the PIV card that holds it, and every refusal that needs no operator, decided before the
// review; then the token's state as it stands after approval, the statement, and the signature.
// Nothing here prints or prompts: the operator is reached only through OperatorUi while signing.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/ui.hpp"
#include "envelope/bundle.hpp"
#include "envelope/keys.hpp"
#include "envelope/statement.hpp"
#include "manifest/manifest.hpp"
#include "pkcs11/key.hpp"
#include "pkcs11/pin_source.hpp"
#include "pkcs11/signer.hpp"
#include "policy/policy.hpp"
#include "signing/piv_facts.hpp"

namespace otasign::signing {

// --touch: ask the key (its PIV slot's touch policy), or the operator's word.
enum class TouchChoice { ask_key, always, never };

struct PlanInputs {
    const manifest::LoadedManifest* manifest = nullptr;  // required
    const manifest::LoadedManifest* previous = nullptr;  // none: a first release
    const policy::Policy* policy = nullptr;              // none: no role refusals
    std::string policy_source;                           // the policy's name in messages
    std::string key_uri;
    std::string module_path;  // empty: the URI's module-path, else p11-kit's proxy
    pkcs11::AllowFinalPinTry allow_final_pin_try = pkcs11::AllowFinalPinTry::no;
    TouchChoice touch = TouchChoice::ask_key;
};

struct SignPlan {
    // The one PKCS#11 session of the command: its token info is re-read and it signs.
    pkcs11::KeyHandle key;
    envelope::PublicKey public_key;  // key_id: the canonical key id
    // The card's facts when the key is on a PIV card (read_piv_facts: nullopt for any other).
    std::optional<PivFacts> piv;
    TouchRequirement touch = TouchRequirement::unknown;  // --touch, else the card's word
    pkcs11::AllowFinalPinTry allow_final_pin_try = pkcs11::AllowFinalPinTry::no;
};

// Opens the key (no login), reads the PIV facts, and refuses, before any operator step:
// a PIN with no tries or (unless allowed) one try left (PinLocked, PinFinalTry: "card N: ...;
// nothing was signed"), a key outside the policy's manifest role (PolicyViolation; the hint
// says when it is a release-role key), a key on another token than its policy entry's
// tokenSerial (PolicyViolation), and a key whose PIV attestation does not satisfy a role that
// requires one (PolicyViolation, naming why the card gave none when it could not be read).
// Errors: also open_key's (Usage, TokenNotFound, AmbiguousKey, TokenError), read_piv_facts'
// (TokenError: a card holds the key but its status could not be read), InvalidInput (the
// token's public key).
Result<SignPlan> plan_signing(const PlanInputs& in);

// The token and its PIN as they stand right before the PIN is asked for (flags change with
// failed attempts): the exact retry count comes from the PIV card when the key is on one.
struct TokenState {
    pkcs11::TokenInfo token;
    pkcs11::PinStatus pin;
};
// Errors: TokenError.
Result<TokenState> read_token_state(const SignPlan& plan);

// What the CLI collected from the operator and showed them.
struct Approval {
    std::string shown_text;       // the exact text shown (its digest is signed)
    std::string shown_diff_json;  // the canonical bytes of the diff as JSON
    std::string operator_name;
    envelope::ApprovalMethod method = envelope::ApprovalMethod::terminal_digest_suffix;
    std::string time;  // RFC 3339 UTC
    std::string host;
    std::vector<std::string> accepted_risks;  // in the review's order
};

// The statement the signature binds: the manifest, the previous release, what was shown, the
// key, the approval, the token and PIV evidence, and the evidence log position.
envelope::Statement build_statement(const SignPlan& plan, const TokenState& state,
                                    const manifest::LoadedManifest& manifest,
                                    const manifest::LoadedManifest* previous,
                                    const Approval& approval, envelope::LogPosition position);

// Signs the statement on the token (PIN from `pin_source`, else the URI's, else the operator;
// touch as planned) and verifies the entry before returning it. Errors: pkcs11::sign's and
// make_entry's.
Result<envelope::SignatureEntry> sign_statement(SignPlan& plan, const TokenState& state,
                                                const envelope::Statement& statement,
                                                const std::optional<pkcs11::PinSource>& pin_source,
                                                OperatorUi& ui);

}  // namespace otasign::signing
