#pragma once
// The workstation ledger: the signing workstation's own record of what it signed, so that the
// baseline of every review comes from the offline side and not from the pipeline. A directory
// holding the evidence log of every signature made here and the canonical bytes of every
// manifest signed (or imported) here, addressed by digest. Layout and rules:
// schemas/REQUEST-FORMAT.md, "The workstation ledger".

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/bundle.hpp"
#include "envelope/commit_journal.hpp"
#include "envelope/evidence_log.hpp"
#include "manifest/diff.hpp"
#include "manifest/manifest.hpp"
#include "policy/policy.hpp"
#include "policy/verify.hpp"

namespace otasign::airgap {

// The risk code of a request whose previous release is not the ledger's (REQUEST-FORMAT.md).
inline constexpr std::string_view kLedgerPreviousMismatch = "ledger-previous-mismatch";

// LEDGER/evidence.log.jsonl: its lock (".lock" beside it) guards the whole ledger.
std::filesystem::path ledger_log_path(const std::filesystem::path& dir);
// LEDGER/manifests/HEX.json
std::filesystem::path ledger_manifest_path(const std::filesystem::path& dir, std::string_view hex);
// LEDGER/imported/HEX.sig: the bundle that justified an import.
std::filesystem::path ledger_import_path(const std::filesystem::path& dir, std::string_view hex);

struct LedgerSignature {
    std::string key_id;
    std::string operator_name;
    std::string time;  // approval time from the signed statement
    std::uint64_t log_index = 0;
};

struct LedgerRelease {
    manifest::LoadedManifest manifest;
    std::vector<LedgerSignature> signatures;  // made here, from the evidence log
    bool imported = false;
};

struct Ledger {
    std::filesystem::path dir;
    envelope::EvidenceLog log;
    std::optional<std::string> log_bytes;  // absent: no log yet
    std::vector<LedgerRelease> releases;   // by channel, then version (SemVer precedence)

    const LedgerRelease* find(std::string_view sha256_hex) const;
    // The highest rollbackIndex of any release held, in any channel.
    std::optional<std::uint64_t> highest_rollback_index() const;
    // The last signed release of `channel`: the one with the highest version.
    const LedgerRelease* last_in_channel(manifest::Channel channel) const;
    // The release `next` follows: the highest version below next's in next's channel.
    const LedgerRelease* base_of(const manifest::Manifest& next) const;
};

// Reads the ledger at `dir` (an absent directory is an empty ledger). The evidence log is read
// and verified (envelope::read_evidence_log); every manifests/ file must be named by the
// SHA-256 of its bytes, be a valid manifest and canonical; every signature in the log must
// name a manifest held; every imported/ bundle must name a manifest held.
// Errors: BadSignature (a file does not match its name, a log entry names no held manifest),
// InvalidInput, Io.
Result<Ledger> load_ledger(const std::filesystem::path& dir);

// The ledger's verdict on signing `next` with the key `key_id`.
struct SignCheck {
    const LedgerRelease* base = nullptr;  // the base of the diff, when the ledger has one
    bool cosign = false;                  // the ledger already holds this exact manifest
    // Set when the pipeline's previous release is not the ledger's base: a high risk the
    // operator must accept by name.
    std::optional<manifest::Risk> mismatch;
};

// Who names the previous release a sign is reviewed against: the pipeline, in a signing
// request (whose silence about a release the ledger holds is itself suspect), or the operator,
// with `sign --previous` (who may leave it to the ledger).
enum class PreviousClaim { request, operator_given };

// Applies the sign-time rules (REQUEST-FORMAT.md, "Rules at signing time") to `next`, with the
// claimed previous release (null: none claimed).
// Errors: PolicyViolation (rollback index below the ledger's highest, version not above the
// last signed in the channel, this key signed this manifest here already).
Result<SignCheck> check_sign(const Ledger& ledger, const manifest::LoadedManifest& next,
                             const manifest::LoadedManifest* claimed_previous,
                             std::string_view key_id, PreviousClaim claim = PreviousClaim::request);

// Whether the ledger's state `a` a check was made against still holds in `b`: the log bytes and
// the set of releases are the same, except that `b` may also hold `next_hex` (the manifest
// being signed, recorded meanwhile by a co-signer: its base and the rules are unchanged). A sign
// re-reads the ledger under its lock and compares.
bool same_state(const Ledger& a, const Ledger& b, std::string_view next_hex = {});

// The write that records `m` in the ledger, unless the ledger holds it already.
std::optional<envelope::PlannedWrite> manifest_write(const Ledger& ledger,
                                                     const manifest::LoadedManifest& m);

// Releases that need re-signing: the last release of each channel whose `expires` lies before
// now + days (already expired ones included). A superseded release is not listed.
std::vector<const LedgerRelease*> expiring_within(const Ledger& ledger,
                                                  const manifest::Timestamp& now, int days);

struct ImportResult {
    bool added = false;  // false: the ledger held it already
    policy::BundleVerification verification;
};

// Seeds the ledger with a release signed elsewhere: `bundle` must verify against `policy` for
// `m` (manifest role, threshold met). Releases may be imported in any order: their signatures,
// not this workstation's history, vouch for them. Writes manifests/HEX.json and imported/HEX.sig
// under the ledger lock (`on_wait` hears a wait for it), atomically through the ledger's journal.
// Errors: PolicyViolation (does not verify), BadSignature, InvalidInput, Io.
Result<ImportResult> import_release(const std::filesystem::path& dir,
                                    const manifest::LoadedManifest& m,
                                    const envelope::Bundle& bundle, std::string_view bundle_bytes,
                                    std::string_view bundle_source, const policy::Policy& policy,
                                    const std::function<void()>& on_wait);

}  // namespace otasign::airgap
