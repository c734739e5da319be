#include "signing/plan.hpp"

#include "core/digest.hpp"
#include "policy/verify.hpp"

namespace otasign::signing {
namespace {

// The refusals of the policy's manifest role: membership, token serial, attestation.
Status check_policy(const PlanInputs& in, const SignPlan& plan) {
    const policy::Policy& pol = *in.policy;
    const std::string& key_id = plan.public_key.key_id;
    const pkcs11::KeyInfo& info = plan.key.info();
    const policy::PolicyKey* pk = pol.manifest.find(key_id);
    if (!pk)
        return make_error(
            ErrorCode::PolicyViolation,
            "key " + key_id + " (" + info.describe() + ") is not a key of the manifest role in " +
                in.policy_source,
            pol.release.find(key_id)
                ? "it is a release-role key: release and manifest authorities are distinct"
                : "add it with 'otasign policy add-key' or pick another key");
    // A PIV card is known by its own serial as well as by the PKCS#11 token serial.
    if (pk->token_serial && *pk->token_serial != info.token.serial &&
        !(plan.piv && *pk->token_serial == std::to_string(plan.piv->evidence.serial)))
        return make_error(ErrorCode::PolicyViolation,
                          "policy key '" + pk->name + "' must be used on token serial " +
                              *pk->token_serial + ", this token's serial is " + info.token.serial);
    // Refused here, before the PIN and the touch, rather than by every verify afterwards.
    if (pol.manifest.attestation) {
        policy::AttestationCheck ac =
            policy::check_attestation(plan.piv ? std::optional(plan.piv->evidence) : std::nullopt,
                                      key_id, *pol.manifest.attestation, pol, "the signing key");
        if (!ac.ok) {
            std::string detail = "the manifest role in " + in.policy_source +
                                 " requires a PIV attestation, and this key's does not "
                                 "satisfy it: " +
                                 ac.detail;
            // An imported key has none by nature (its origin says so); any other failure to
            // read it is named, so the operator can tell a card fault from a wrong key.
            if (plan.piv && plan.piv->attestation_unread &&
                plan.piv->attestation_unread->code != ErrorCode::TokenNotFound)
                detail += " (the card's attestation could not be read: " +
                          plan.piv->attestation_unread->detail + ")";
            return make_error(ErrorCode::PolicyViolation, detail,
                              "sign with a key generated on a PIV card with the required PIN and "
                              "touch policies; nothing was signed");
        }
    }
    return ok_status();
}

}  // namespace

Result<SignPlan> plan_signing(const PlanInputs& in) {
    pkcs11::KeyOptions kopts;
    kopts.module_path = in.module_path;
    OTASIGN_ASSIGN_OR_RETURN(pkcs11::KeyHandle key, pkcs11::open_key(in.key_uri, kopts));
    // libykpiv reads the card while this PKCS#11 session stays open: no PIN has been sent yet,
    // and the card reset libykpiv does when it disconnects only drops state the login would set
    // (the PKCS#11 modules reselect the applet after a reset; the login comes later).
    OTASIGN_ASSIGN_OR_RETURN(std::optional<PivFacts> piv, read_piv_facts(key.key_id()));
    if (piv && piv->pin_retries_left) {
        auto usable = pkcs11::check_pin_retries(*piv->pin_retries_left, in.allow_final_pin_try);
        if (!usable)
            return make_error(usable.error().code,
                              "card " + std::to_string(piv->evidence.serial) + ": " +
                                  usable.error().detail + "; nothing was signed",
                              usable.error().hint);
    }
    OTASIGN_ASSIGN_OR_RETURN(
        envelope::PublicKey pub,
        envelope::public_key_from_evp(key.public_key(), "the token's public key"));
    SignPlan plan{std::move(key), std::move(pub), std::move(piv), TouchRequirement::unknown,
                  in.allow_final_pin_try};
    plan.touch = in.touch == TouchChoice::always  ? TouchRequirement::always
                 : in.touch == TouchChoice::never ? TouchRequirement::never
                 : plan.piv                       ? plan.piv->touch
                                                  : TouchRequirement::unknown;
    if (in.policy) OTASIGN_TRY(check_policy(in, plan));
    return plan;
}

Result<TokenState> read_token_state(const SignPlan& plan) {
    OTASIGN_ASSIGN_OR_RETURN(pkcs11::TokenInfo token, plan.key.refresh_token_info());
    TokenState state{std::move(token), {}};
    state.pin = pkcs11::pin_status_from_flags(state.token.flags);
    if (plan.piv && plan.piv->pin_retries_left) {
        state.pin.retries_left = plan.piv->pin_retries_left;
        if (*state.pin.retries_left == 1) state.pin.state = pkcs11::PinState::final_try;
    }
    return state;
}

envelope::Statement build_statement(const SignPlan& plan, const TokenState& state,
                                    const manifest::LoadedManifest& manifest,
                                    const manifest::LoadedManifest* previous,
                                    const Approval& approval, envelope::LogPosition position) {
    envelope::Statement st;
    policy::bind_statement(st, policy::binding_of(manifest, previous));
    st.shown_text_sha256 = sha256_hex(approval.shown_text);
    st.shown_diff_sha256 = sha256_hex(approval.shown_diff_json);
    st.key_id = plan.public_key.key_id;
    st.algorithm = envelope::sig_alg_name(plan.public_key.alg);
    st.approval.operator_name = approval.operator_name;
    st.approval.time = approval.time;
    st.approval.method = approval.method;
    st.approval.token = {state.token.manufacturer, state.token.model, state.token.serial,
                         state.token.label};
    st.approval.key_label = plan.key.info().label;
    if (state.pin.retries_left) st.approval.pin_retries_left = *state.pin.retries_left;
    // A locked PIN never gets this far (the signer refuses it); the schema knows no "locked".
    st.approval.pin_status = pkcs11::pin_state_name(state.pin.state == pkcs11::PinState::locked
                                                        ? pkcs11::PinState::final_try
                                                        : state.pin.state);
    st.approval.tool = std::string("otasign ") + OTASIGN_VERSION;
    st.approval.host = approval.host;
    if (plan.piv) st.approval.piv = plan.piv->evidence;
    st.approval.accepted_risks = approval.accepted_risks;
    st.log = std::move(position);
    return st;
}

Result<envelope::SignatureEntry> sign_statement(SignPlan& plan, const TokenState& state,
                                                const envelope::Statement& statement,
                                                const std::optional<pkcs11::PinSource>& pin_source,
                                                OperatorUi& ui) {
    pkcs11::SignOptions sopts;
    sopts.pin_source = pin_source;
    sopts.allow_final_pin_try = plan.allow_final_pin_try;
    sopts.pin_retries_left = state.pin.retries_left;
    sopts.touch = plan.touch == TouchRequirement::always ? pkcs11::TouchPolicy::required
                                                         : pkcs11::TouchPolicy::not_required;
    return envelope::make_entry(
        statement, plan.public_key, [&](std::string_view pae) -> Result<std::string> {
            OTASIGN_ASSIGN_OR_RETURN(pkcs11::SignResult r, pkcs11::sign(plan.key, pae, sopts, ui));
            return std::string(r.signature.begin(), r.signature.end());
        });
}

}  // namespace otasign::signing
