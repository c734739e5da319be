#pragma once
// Writing several files (the signature bundle and the evidence log) so that after a crash at
// any point either all of them hold their new contents or none does. Every new file is first
// made durable as a temporary beside its target; then an intent journal naming the targets,
// temporaries and old/new SHA-256 is written (the commit point); then the temporaries are
// renamed into place and the journal is removed. A journal found later means the write must be
// completed (recover_commit). The caller holds the locks of every target throughout.
// Format: schemas/commit-journal.schema.json, SIGNATURE-FORMAT.md section 6.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace otasign::envelope {

struct PlannedWrite {
    std::filesystem::path target;          // not a symbolic link (resolve_write_path first)
    std::optional<std::string> old_bytes;  // the contents read under the lock; none if absent
    std::string new_bytes;
};

// Writes every file of `writes` or none. A failure before the journal exists changes nothing;
// a failed rename afterwards puts the renamed files back and removes the journal.
// Errors: Io.
Status commit_files(const std::filesystem::path& journal, const std::vector<PlannedWrite>& writes);

enum class RecoverMode { repair, report };

struct RecoveryReport {
    bool journal_found = false;
    std::vector<std::string> completed;       // targets a journal's write was completed for
    std::vector<std::string> pending;         // RecoverMode::report: targets still to complete
    std::vector<std::string> leftover_temps;  // temporaries removed (repair) or found (report)
};

// Completes (repair) or only describes (report) a write interrupted after its journal was
// written, and removes (repair) or lists (report) temporaries an interrupted write left beside
// `targets` and the journal. Run it under the targets' locks.
// Errors: InvalidInput (a malformed journal), Io (a target changed since the journal was
// written: nothing is touched and the journal stays for a person to look at).
Result<RecoveryReport> recover_commit(const std::filesystem::path& journal,
                                      const std::vector<std::filesystem::path>& targets,
                                      RecoverMode mode);

}  // namespace otasign::envelope
