#include "envelope/commit_journal.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"
#include "json/strict.hpp"

namespace otasign::envelope {
namespace fs = std::filesystem;
namespace {

bool exists_no_follow(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

// The SHA-256 of a file's contents, or nullopt when it does not exist.
Result<std::optional<std::string>> digest_of(const fs::path& p) {
    if (!exists_no_follow(p)) return std::optional<std::string>();
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(p));
    return std::optional<std::string>(sha256_hex(bytes));
}

Status remove_file(const fs::path& p) {
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        return make_error(ErrorCode::Io,
                          "cannot remove " + p.string() + ": " + std::strerror(errno));
    return ok_status();
}

// Puts `target` back as it was before a failed commit.
Status restore(const PlannedWrite& w) {
    if (w.old_bytes) return write_file_atomic(w.target, *w.old_bytes, Overwrite::yes);
    OTASIGN_TRY(remove_file(w.target));
    return fsync_directory(w.target.parent_path());
}

}  // namespace

Status commit_files(const fs::path& journal, const std::vector<PlannedWrite>& writes) {
    std::vector<AtomicFile> files;
    files.reserve(writes.size());
    for (const auto& w : writes) {
        OTASIGN_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::create(w.target));
        OTASIGN_TRY(f.write(w.new_bytes));
        OTASIGN_TRY(f.sync());
        files.push_back(std::move(f));
    }
    std::set<fs::path> dirs;
    for (const auto& f : files) dirs.insert(fs::absolute(f.temp()).parent_path());
    for (const auto& d : dirs) OTASIGN_TRY(fsync_directory(d));

    json::Value entries = json::Value::array();
    for (std::size_t i = 0; i < writes.size(); ++i)
        entries.push_back(
            {{"path", fs::absolute(writes[i].target).string()},
             {"temp", fs::absolute(files[i].temp()).string()},
             {"oldSha256", writes[i].old_bytes ? json::Value(sha256_hex(*writes[i].old_bytes))
                                               : json::Value(nullptr)},
             {"newSha256", sha256_hex(writes[i].new_bytes)}});
    std::string text =
        json::canonicalize(json::Value{{"journalVersion", 1}, {"files", entries}}) + "\n";
    // The commit point: from here on an interruption is completed, never undone.
    OTASIGN_TRY(write_file_atomic(journal, text, Overwrite::no));

    for (std::size_t i = 0; i < writes.size(); ++i) {
        auto st = files[i].commit(writes[i].old_bytes ? Overwrite::yes : Overwrite::no);
        if (st) continue;
        std::string undo_failure;
        for (std::size_t j = 0; j < i; ++j)
            if (auto u = restore(writes[j]); !u) undo_failure += "; " + u.error().detail;
        if (!undo_failure.empty())
            return make_error(ErrorCode::Io, st.error().detail + undo_failure,
                              "the journal " + journal.string() +
                                  " stays; 'otasign evidence recover' reports what is left to do");
        OTASIGN_TRY(remove_file(journal));
        OTASIGN_TRY(fsync_directory(journal.parent_path()));
        return make_error(st.error().code, st.error().detail,
                          "nothing was changed: every file was put back as it was");
    }
    OTASIGN_TRY(remove_file(journal));
    return fsync_directory(journal.parent_path());
}

Result<RecoveryReport> recover_commit(const fs::path& journal, const std::vector<fs::path>& targets,
                                      RecoverMode mode) {
    RecoveryReport report;
    if (exists_no_follow(journal)) {
        report.journal_found = true;
        OTASIGN_ASSIGN_OR_RETURN(std::string text, read_file(journal));
        OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(text, journal.string()));
        OTASIGN_TRY(validate_schema(doc, Schema::commit_journal, journal.string()));
        struct Step {
            fs::path path, temp;
            bool rename = false, link = false;
        };
        std::vector<Step> steps;
        for (const auto& f : doc.value["files"]) {
            Step s{f["path"].get<std::string>(), f["temp"].get<std::string>()};
            std::optional<std::string> old_sha;
            if (!f["oldSha256"].is_null()) old_sha = f["oldSha256"].get<std::string>();
            std::string new_sha = f["newSha256"].get<std::string>();
            OTASIGN_ASSIGN_OR_RETURN(std::optional<std::string> cur, digest_of(s.path));
            OTASIGN_ASSIGN_OR_RETURN(std::optional<std::string> tmp, digest_of(s.temp));
            if (cur == new_sha) {
                steps.push_back(s);  // done; only its temporary (if any) goes
                continue;
            }
            if (cur == old_sha && tmp == new_sha) {
                (old_sha ? s.rename : s.link) = true;
                report.pending.push_back(s.path.string());
                steps.push_back(s);
                continue;
            }
            return make_error(
                ErrorCode::Io,
                journal.string() + " records an interrupted write of " + s.path.string() +
                    ", but that file holds neither its old nor its new contents, or the new "
                    "contents are gone",
                "nothing was touched; compare the files with their temporaries by hand, then "
                "remove the journal");
        }
        if (mode == RecoverMode::repair) {
            std::set<fs::path> dirs;
            for (const auto& s : steps) {
                if (s.rename && ::rename(s.temp.c_str(), s.path.c_str()) != 0)
                    return make_error(ErrorCode::Io, "cannot rename " + s.temp.string() +
                                                         " into place: " + std::strerror(errno));
                if (s.link && ::link(s.temp.c_str(), s.path.c_str()) != 0)
                    return make_error(ErrorCode::Io, "cannot link " + s.temp.string() +
                                                         " into place: " + std::strerror(errno));
                if (!s.rename) OTASIGN_TRY(remove_file(s.temp));
                dirs.insert(s.path.parent_path());
            }
            for (const auto& d : dirs) OTASIGN_TRY(fsync_directory(d));
            OTASIGN_TRY(remove_file(journal));
            OTASIGN_TRY(fsync_directory(journal.parent_path()));
            report.completed = std::move(report.pending);
            report.pending.clear();
        }
    }
    std::vector<fs::path> all = targets;
    all.push_back(journal);
    std::set<fs::path> seen;
    for (const auto& t : all) {
        fs::path dir = t.parent_path().empty() ? fs::path(".") : t.parent_path();
        std::string prefix = temp_prefix(t);
        std::error_code ec;
        for (const auto& de : fs::directory_iterator(dir, ec)) {
            std::string name = de.path().filename().string();
            if (name.rfind(prefix, 0) != 0 || !seen.insert(de.path()).second) continue;
            if (mode == RecoverMode::repair) OTASIGN_TRY(remove_file(de.path()));
            report.leftover_temps.push_back(de.path().string());
        }
    }
    return report;
}

}  // namespace otasign::envelope
