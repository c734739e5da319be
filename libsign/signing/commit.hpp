#pragma once
// The locked, paired write of `otasign sign`: the signature bundle and the evidence log change
// together or not at all, and no second signer of either can interleave. prepare_commit takes
// both locks and reads both files before the review; commit_signature writes after the
// signature, under the same locks. Nothing here prints: what the operator should be told
// (waiting for a lock, an interrupted write completed) reaches the caller through CommitEvents.
//
// Signals are not touched here: a caller whose signal handlers exit at once (the CLI's Ctrl-C)
// blocks them around commit_signature, so that no signal lands between the two renames.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_lock.hpp"
#include "core/result.hpp"
#include "envelope/bundle.hpp"
#include "envelope/commit_journal.hpp"
#include "envelope/evidence_log.hpp"
#include "envelope/keys.hpp"

namespace otasign::signing {

struct CommitPaths {
    std::filesystem::path bundle;  // as named to the operator and in the evidence
    std::filesystem::path log;
    // Files written with the bundle and the log (the workstation ledger's log, whose folder
    // gets the manifest's copy): their locks are taken first, in this order, and held as long.
    std::vector<std::filesystem::path> lock_first;
};

struct CommitEvents {
    // Another process holds `lock_path`, which guards `target`; called once before waiting.
    std::function<void(const std::filesystem::path& lock_path, const std::filesystem::path& target)>
        waiting_for_lock;
    // An interrupted earlier write was completed, or its temporaries removed (the journal named).
    std::function<void(const envelope::RecoveryReport& report,
                       const std::filesystem::path& journal)>
        recovered;
    // Words the failure to read the existing bundle (the CLI names the option a file of another
    // kind belongs to). Unset: json::name_other_kind's wording.
    std::function<Error(const Error& error, std::string_view bytes, const std::string& path)>
        bundle_unreadable;
};

// Both targets locked, and what they held when read under the locks.
struct PreparedCommit {
    // lock_first's, the log's and the bundle's; released when this is destroyed
    std::vector<FileLock> locks;
    CommitPaths paths;                    // as given
    std::filesystem::path bundle_target;  // paths resolved through symbolic links
    std::filesystem::path log_target;
    std::filesystem::path journal;          // LOG.journal beside the log target
    std::optional<std::string> old_bundle;  // none: the bundle does not exist yet
    std::optional<std::string> old_log;
    envelope::Bundle bundle;
    envelope::EvidenceLog log;
};

// Resolves both paths (links are written through, never replaced), locks `lock_first`, the log
// and the bundle in that order (one lock per file), completes a write an interrupted sign left
// behind, and reads both files: an existing bundle must be of the same manifest and not yet
// signed by `key` (check_cosign); an existing log must be non-empty and pass `evidence
// verify`'s checks without policy. Errors: Io (locks, paths, reading), InvalidInput (a malformed
// bundle or log line, or a malformed journal), BadSignature (an empty or broken log),
// PolicyViolation (a bundle of another manifest, the same key twice).
Result<PreparedCommit> prepare_commit(const CommitPaths& paths, std::string_view manifest_sha256,
                                      const envelope::PublicKey& key, const CommitEvents& events);

// That every signature of the existing bundle is where its statement says in the log, so a
// co-signature is never added to a bundle the log does not account for. Errors: BadSignature,
// PolicyViolation (with the hint that co-signers use the same evidence log).
Status check_bundle_logged(const PreparedCommit& prepared);

// Where the new signature's evidence entry goes, with `manifest_path` as the entry names it.
envelope::LogPosition next_position(const PreparedCommit& prepared, std::string manifest_path);

struct Committed {
    std::size_t signatures = 0;  // in the bundle now
    std::size_t log_entry = 0;   // index of the new evidence entry
};

// Appends `entry` to the bundle and the log and writes both, and `extra` (e.g. a ledger's copy
// of the manifest), all or none (envelope::commit_files). Errors: Internal (the entry does not
// commit to the next log position), Io.
Result<Committed> commit_signature(PreparedCommit& prepared, const envelope::SignatureEntry& entry,
                                   std::vector<envelope::PlannedWrite> extra);

}  // namespace otasign::signing
