#include "signing/commit.hpp"

#include <algorithm>

#include "core/atomic_file.hpp"
#include "json/kind.hpp"

namespace otasign::signing {
namespace fs = std::filesystem;

namespace {

// The locks are taken before the files are read and held until all are renamed, so a second
// signer of the same ledger, bundle or log waits instead of overwriting the first's write.
Result<std::vector<FileLock>> lock_targets(const CommitPaths& paths, const fs::path& log_target,
                                           const fs::path& bundle_target,
                                           const CommitEvents& events) {
    // Always the same order (the ledger, the log, the bundle): two signers never hold one lock
    // each while waiting for the other's.
    std::vector<fs::path> targets = paths.lock_first;
    targets.push_back(log_target);
    targets.push_back(bundle_target);
    std::vector<FileLock> locks;
    for (const fs::path& target : targets) {
        fs::path lock_path = target.string() + ".lock";
        if (std::any_of(locks.begin(), locks.end(),
                        [&](const FileLock& l) { return l.path() == lock_path; }))
            continue;
        OTASIGN_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(lock_path, [&] {
                                     if (events.waiting_for_lock)
                                         events.waiting_for_lock(lock_path, target);
                                 }));
        locks.push_back(std::move(lock));
    }
    return locks;
}

Status read_bundle(PreparedCommit& p, std::string_view manifest_sha256,
                   const envelope::PublicKey& key, const CommitEvents& events) {
    if (!fs::exists(p.bundle_target)) return ok_status();
    const std::string source = p.paths.bundle.string();
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(p.bundle_target));
    auto b = envelope::parse_bundle(bytes, source);
    if (!b)
        return events.bundle_unreadable
                   ? events.bundle_unreadable(b.error(), bytes, source)
                   : json::name_other_kind(b.error(), bytes, source, json::DocumentKind::bundle);
    OTASIGN_TRY(envelope::check_cosign(*b, manifest_sha256, key, source));
    p.old_bundle = std::move(bytes);
    p.bundle = std::move(b).value();
    return ok_status();
}

Status read_log(PreparedCommit& p) {
    if (!fs::exists(p.log_target)) return ok_status();
    const std::string source = p.paths.log.string();
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(p.log_target));
    if (bytes.empty())
        return make_error(ErrorCode::BadSignature,
                          source + " is empty, and otasign never writes an empty evidence log",
                          "the log was truncated; restore it from a backup. Nothing was signed");
    // The checks of `evidence verify` without policy or bundles (SIGNATURE-FORMAT.md
    // section 6): nothing is appended to a log that would not verify.
    auto l = envelope::verify_evidence_log(bytes, source, {}, {});
    if (!l)
        return make_error(l.error().code, l.error().detail,
                          "refusing to append to a log that does not verify");
    if (l->failure)
        return make_error(l->failure->error.code, l->failure->error.detail,
                          "refusing to append to a log that does not verify");
    p.old_log = std::move(bytes);
    p.log = std::move(l->log);
    return ok_status();
}

}  // namespace

Result<PreparedCommit> prepare_commit(const CommitPaths& paths, std::string_view manifest_sha256,
                                      const envelope::PublicKey& key, const CommitEvents& events) {
    PreparedCommit p;
    p.paths = paths;
    // Links are written through to their existing targets and never replaced (see
    // SIGNATURE-FORMAT.md section 6); locks, temporaries and the journal live beside the target.
    OTASIGN_ASSIGN_OR_RETURN(p.bundle_target, resolve_write_path(paths.bundle));
    OTASIGN_ASSIGN_OR_RETURN(p.log_target, resolve_write_path(paths.log));
    OTASIGN_ASSIGN_OR_RETURN(p.locks, lock_targets(paths, p.log_target, p.bundle_target, events));
    p.journal = p.log_target.string() + ".journal";
    // Completes a sign that was interrupted after its journal was written, and removes the
    // temporaries an interrupted sign left behind.
    auto recovered = envelope::recover_commit(p.journal, {p.bundle_target, p.log_target},
                                              envelope::RecoverMode::repair);
    if (!recovered)
        return make_error(
            recovered.error().code, recovered.error().detail,
            recovered.error().hint.empty() ? "nothing was signed" : recovered.error().hint);
    if (events.recovered) events.recovered(*recovered, p.journal);
    OTASIGN_TRY(read_bundle(p, manifest_sha256, key, events));
    OTASIGN_TRY(read_log(p));
    return p;
}

Status check_bundle_logged(const PreparedCommit& p) {
    if (!p.old_bundle) return ok_status();
    auto rec = envelope::check_bundle_recorded(p.log, p.paths.log.string(), p.bundle,
                                               p.paths.bundle.string());
    if (!rec)
        return make_error(rec.error().code, rec.error().detail,
                          "refusing to co-sign: " + rec.error().hint +
                              "; co-signers use the same --evidence-log");
    return ok_status();
}

envelope::LogPosition next_position(const PreparedCommit& p, std::string manifest_path) {
    return envelope::next_log_position(p.log, std::move(manifest_path), p.paths.bundle.string());
}

Result<Committed> commit_signature(PreparedCommit& p, const envelope::SignatureEntry& entry,
                                   std::vector<envelope::PlannedWrite> extra) {
    OTASIGN_ASSIGN_OR_RETURN(std::string new_log, envelope::append_evidence(p.log, entry));
    envelope::Bundle bundle = p.bundle;
    bundle.signatures.push_back(entry);
    std::vector<envelope::PlannedWrite> writes = {
        {p.bundle_target, p.old_bundle, envelope::serialize_bundle(bundle)},
        {p.log_target, p.old_log, std::move(new_log)}};
    for (auto& w : extra) writes.push_back(std::move(w));
    OTASIGN_TRY(envelope::commit_files(p.journal, writes));
    Committed done{bundle.signatures.size(), p.log.entries.size()};
    p.bundle = std::move(bundle);
    return done;
}

}  // namespace otasign::signing
