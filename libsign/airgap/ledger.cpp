#include "airgap/ledger.hpp"

#include <algorithm>
#include <map>
#include <system_error>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/file_lock.hpp"

namespace otasign::airgap {
namespace fs = std::filesystem;
namespace {

bool is_hex_name(const std::string& name, std::string_view suffix) {
    if (name.size() != 64 + suffix.size() || !name.ends_with(suffix)) return false;
    return name.find_first_not_of("0123456789abcdef") == 64;
}

Error corrupt(const std::string& what) {
    return make_error(ErrorCode::BadSignature, what,
                      "the ledger was changed outside otasign; restore it from a backup before "
                      "signing again");
}

// The names in `dir` otasign may have written there: HEX + suffix, and the temporaries an
// interrupted write leaves (dot files, removed by the next locked write).
Result<std::vector<std::string>> hex_names(const fs::path& dir, std::string_view suffix) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.starts_with(".")) continue;
        if (!is_hex_name(name, suffix) || !it->is_regular_file() || it->is_symlink())
            return corrupt((dir / name).string() + ": not a file the ledger holds (HEX" +
                           std::string(suffix) + ", a regular file)");
        out.push_back(name.substr(0, 64));
    }
    if (ec) return make_error(ErrorCode::Io, "cannot list " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

bool version_less(const LedgerRelease& a, const LedgerRelease& b) {
    const auto& ma = a.manifest.manifest;
    const auto& mb = b.manifest.manifest;
    if (ma.release.channel != mb.release.channel) return ma.release.channel < mb.release.channel;
    auto c = manifest::compare_semver(ma.release.semver, mb.release.semver);
    if (c != 0) return c < 0;
    return a.manifest.sha256_hex < b.manifest.sha256_hex;
}

std::string describe(const manifest::LoadedManifest& m) {
    return m.manifest.release.id + " " + m.manifest.release.version + " (sha256:" + m.sha256_hex +
           ")";
}

}  // namespace

fs::path ledger_log_path(const fs::path& dir) { return dir / "evidence.log.jsonl"; }
fs::path ledger_manifest_path(const fs::path& dir, std::string_view hex) {
    return dir / "manifests" / (std::string(hex) + ".json");
}
fs::path ledger_import_path(const fs::path& dir, std::string_view hex) {
    return dir / "imported" / (std::string(hex) + ".sig");
}

const LedgerRelease* Ledger::find(std::string_view sha256_hex) const {
    for (const auto& r : releases)
        if (r.manifest.sha256_hex == sha256_hex) return &r;
    return nullptr;
}

std::optional<std::uint64_t> Ledger::highest_rollback_index() const {
    std::optional<std::uint64_t> out;
    for (const auto& r : releases)
        out = std::max(out.value_or(0), r.manifest.manifest.rollback_index);
    return out;
}

const LedgerRelease* Ledger::last_in_channel(manifest::Channel channel) const {
    const LedgerRelease* out = nullptr;
    for (const auto& r : releases)
        if (r.manifest.manifest.release.channel == channel) out = &r;  // sorted: the last wins
    return out;
}

const LedgerRelease* Ledger::base_of(const manifest::Manifest& next) const {
    const LedgerRelease* out = nullptr;
    for (const auto& r : releases) {
        const auto& m = r.manifest.manifest;
        if (m.release.channel == next.release.channel &&
            manifest::compare_semver(m.release.semver, next.release.semver) < 0)
            out = &r;
    }
    return out;
}

Result<Ledger> load_ledger(const fs::path& dir) {
    Ledger l;
    l.dir = dir;
    const fs::path log_path = ledger_log_path(dir);
    std::error_code ec;
    if (fs::exists(log_path, ec)) {
        OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(log_path));
        if (bytes.empty())
            return corrupt(log_path.string() +
                           " is empty, and otasign never writes an empty evidence log");
        OTASIGN_ASSIGN_OR_RETURN(l.log, envelope::read_evidence_log(bytes, log_path.string()));
        l.log_bytes = std::move(bytes);
    }
    OTASIGN_ASSIGN_OR_RETURN(auto held, hex_names(dir / "manifests", ".json"));
    for (const auto& hex : held) {
        const fs::path p = ledger_manifest_path(dir, hex);
        OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(p));
        if (sha256_hex(bytes) != hex)
            return corrupt(p.string() + ": its bytes have SHA-256 " + sha256_hex(bytes) +
                           ", not the digest it is filed under");
        auto m = manifest::load_manifest(bytes, p.string());
        if (!m) return corrupt(m.error().detail);
        if (m->canonical != bytes) return corrupt(p.string() + ": not in canonical form");
        LedgerRelease r;
        r.manifest = std::move(m).value();
        l.releases.push_back(std::move(r));
    }
    OTASIGN_ASSIGN_OR_RETURN(auto imported, hex_names(dir / "imported", ".sig"));
    std::map<std::string, LedgerRelease*> by_digest;
    for (auto& r : l.releases) by_digest[r.manifest.sha256_hex] = &r;
    for (const auto& hex : imported) {
        auto it = by_digest.find(hex);
        if (it == by_digest.end())
            return corrupt(ledger_import_path(dir, hex).string() +
                           ": an imported bundle for a manifest the ledger does not hold");
        it->second->imported = true;
    }
    for (const auto& e : l.log.entries) {
        if (!e.statement)
            return corrupt(log_path.string() + ": entry " + std::to_string(e.index) +
                           " has no verified statement: " + e.signature_error);
        auto it = by_digest.find(e.statement->manifest_sha256);
        if (it == by_digest.end())
            return corrupt(log_path.string() + ": entry " + std::to_string(e.index) +
                           " signs sha256:" + e.statement->manifest_sha256 +
                           ", which the ledger does not hold under manifests/");
        it->second->signatures.push_back({e.statement->key_id, e.statement->approval.operator_name,
                                          e.statement->approval.time, e.index});
    }
    std::sort(l.releases.begin(), l.releases.end(), version_less);
    return l;
}

Result<SignCheck> check_sign(const Ledger& ledger, const manifest::LoadedManifest& next,
                             const manifest::LoadedManifest* claimed_previous,
                             std::string_view key_id, PreviousClaim claim) {
    SignCheck out;
    const manifest::Manifest& m = next.manifest;
    const std::string channel = manifest::channel_name(m.release.channel);
    if (const LedgerRelease* held = ledger.find(next.sha256_hex)) {
        // The same manifest again: a co-signature, by another key.
        for (const auto& s : held->signatures)
            if (s.key_id == key_id)
                return make_error(ErrorCode::PolicyViolation,
                                  "key " + std::string(key_id) + " signed " + describe(next) +
                                      " on this workstation already (evidence log entry " +
                                      std::to_string(s.log_index) + "); nothing was signed",
                                  "a co-signature comes from another key");
        out.cosign = true;
    } else {
        if (auto highest = ledger.highest_rollback_index(); highest && m.rollback_index < *highest)
            return make_error(ErrorCode::PolicyViolation,
                              "rollbackIndex " + std::to_string(m.rollback_index) + " is below " +
                                  std::to_string(*highest) +
                                  ", the highest this workstation's ledger holds; nothing was "
                                  "signed",
                              "a release never lowers the rollback index; ask the pipeline for "
                              "a manifest with rollbackIndex >= " +
                                  std::to_string(*highest));
        if (const LedgerRelease* last = ledger.last_in_channel(m.release.channel);
            last &&
            manifest::compare_semver(m.release.semver, last->manifest.manifest.release.semver) <= 0)
            return make_error(ErrorCode::PolicyViolation,
                              "version " + m.release.version + " is not above " +
                                  describe(last->manifest) + ", the last release this " +
                                  "workstation's ledger holds in channel " + channel +
                                  "; nothing was signed",
                              "a release in a channel needs a higher version than the last one "
                              "signed there");
    }
    out.base = ledger.base_of(m);
    if (out.base) {
        const bool same =
            claimed_previous && claimed_previous->sha256_hex == out.base->manifest.sha256_hex;
        // An operator who names no previous release leaves the base to the ledger; a request
        // that names none while the ledger holds one hides what it replaces.
        const bool silent_operator = !claimed_previous && claim == PreviousClaim::operator_given;
        if (!same && !silent_operator) {
            manifest::Risk r;
            r.code = std::string(kLedgerPreviousMismatch);
            r.severity = manifest::Severity::high;
            r.reason =
                std::string(claim == PreviousClaim::request ? "the request's previous release is "
                                                            : "the --previous given is ") +
                (claimed_previous ? describe(*claimed_previous) : std::string("none")) +
                ", but this workstation last signed " + describe(out.base->manifest) +
                " in channel " + channel + "; the diff is against the ledger's";
            out.mismatch = std::move(r);
        }
    }
    return out;
}

bool same_state(const Ledger& a, const Ledger& b, std::string_view next_hex) {
    if (a.log_bytes != b.log_bytes) return false;
    // `next` itself, recorded by a co-signer meanwhile, changes neither its base nor the rules.
    const auto counted = [&](const Ledger& l) {
        std::vector<const LedgerRelease*> out;
        for (const auto& r : l.releases)
            if (r.manifest.sha256_hex != next_hex || a.find(next_hex)) out.push_back(&r);
        return out;
    };
    const auto ra = counted(a), rb = counted(b);
    if (ra.size() != rb.size()) return false;
    for (std::size_t i = 0; i < ra.size(); ++i)
        if (ra[i]->manifest.sha256_hex != rb[i]->manifest.sha256_hex ||
            ra[i]->imported != rb[i]->imported)
            return false;
    return true;
}

std::optional<envelope::PlannedWrite> manifest_write(const Ledger& ledger,
                                                     const manifest::LoadedManifest& m) {
    if (ledger.find(m.sha256_hex)) return std::nullopt;
    return envelope::PlannedWrite{ledger_manifest_path(ledger.dir, m.sha256_hex), std::nullopt,
                                  m.canonical};
}

std::vector<const LedgerRelease*> expiring_within(const Ledger& ledger,
                                                  const manifest::Timestamp& now, int days) {
    std::vector<const LedgerRelease*> out;
    const std::int64_t limit = now.seconds + static_cast<std::int64_t>(days) * 86400;
    for (std::size_t i = 0; i < ledger.releases.size(); ++i) {
        const LedgerRelease& r = ledger.releases[i];
        const bool last = i + 1 == ledger.releases.size() ||
                          ledger.releases[i + 1].manifest.manifest.release.channel !=
                              r.manifest.manifest.release.channel;
        if (last && r.manifest.manifest.expires.seconds < limit) out.push_back(&r);
    }
    return out;
}

Result<ImportResult> import_release(const fs::path& dir, const manifest::LoadedManifest& m,
                                    const envelope::Bundle& bundle, std::string_view bundle_bytes,
                                    std::string_view bundle_source, const policy::Policy& pol,
                                    const std::function<void()>& on_wait) {
    ImportResult out;
    out.verification = policy::verify_bundle(bundle, pol, policy::Role::manifest,
                                             policy::binding_of(m), bundle_source);
    if (!out.verification.threshold_met)
        return make_error(
            ErrorCode::PolicyViolation,
            std::string(bundle_source) + " does not verify " + describe(m) +
                " under the policy: " + std::to_string(out.verification.distinct_keys.size()) +
                " of " + std::to_string(out.verification.threshold) +
                " required signatures count; nothing was imported",
            "'otasign verify' names each signature's problem");
    std::error_code ec;
    fs::create_directories(dir / "manifests", ec);
    if (!ec) fs::create_directories(dir / "imported", ec);
    if (ec)
        return make_error(ErrorCode::Io,
                          "cannot create the ledger under " + dir.string() + ": " + ec.message());
    // The same lock as sign's: beside the log's final target when the log is a link.
    OTASIGN_ASSIGN_OR_RETURN(const fs::path log_path, resolve_write_path(ledger_log_path(dir)));
    OTASIGN_ASSIGN_OR_RETURN(FileLock lock,
                             FileLock::acquire(log_path.string() + ".lock", on_wait));
    const fs::path journal = log_path.string() + ".journal";
    const fs::path man = ledger_manifest_path(dir, m.sha256_hex);
    const fs::path imp = ledger_import_path(dir, m.sha256_hex);
    OTASIGN_TRY(
        envelope::recover_commit(journal, {log_path, man, imp}, envelope::RecoverMode::repair));
    OTASIGN_ASSIGN_OR_RETURN(Ledger ledger, load_ledger(dir));
    std::vector<envelope::PlannedWrite> writes;
    const LedgerRelease* held = ledger.find(m.sha256_hex);
    if (!held) writes.push_back({man, std::nullopt, m.canonical});
    if (!held || !held->imported) writes.push_back({imp, std::nullopt, std::string(bundle_bytes)});
    if (writes.empty()) return out;
    OTASIGN_TRY(envelope::commit_files(journal, writes));
    out.added = true;
    return out;
}

}  // namespace otasign::airgap
