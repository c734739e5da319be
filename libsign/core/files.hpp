#pragma once
// Reading files named by untrusted text (a manifest's artifact paths) safely: every path
// resolves strictly beneath one directory with no symbolic link on the way, only regular files
// are read, nothing blocks on a FIFO or a device, and no file is read past the size it is
// expected to have. Shared by `verify --artifacts` and `manifest create`.

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fd.hpp"
#include "core/progress.hpp"
#include "core/result.hpp"

namespace otasign::core {

// Opens `dir` itself (following a symbolic link there: the caller named it) as a directory.
// Errors: InvalidInput ("no such directory", "not a directory"), Io.
Result<Fd> open_directory(const std::filesystem::path& dir);

// Opens `relative` (components separated by '/') beneath `dir_fd` for reading, without
// following a symbolic link in any component and without leaving the directory: openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel has it, otherwise one O_NOFOLLOW
// openat per component. The file is opened O_NONBLOCK (a FIFO cannot block the open) and must
// be a regular file; `st` receives its fstat. Errors: InvalidInput with a detail that names
// the problem (absolute path, "..", symbolic link, not a regular file, no such file), Io.
Result<Fd> open_regular_beneath(int dir_fd, std::string_view relative, struct stat* st);

struct FileDigest {
    std::uint64_t size = 0;   // bytes read: at most limit + 1
    bool over_limit = false;  // the file holds more than `limit` bytes
    std::string sha256;       // lowercase hex
    std::optional<std::string> sha512;
};

// Hashes the file open at `fd` in one pass with SHA-256 (and SHA-512 when asked), reading at
// most `limit` + 1 bytes. `on_bytes` hears how many bytes each read brought.
// Errors: Io (a read failed).
Result<FileDigest> hash_file(int fd, std::uint64_t limit, bool want_sha512,
                             const std::function<void(std::uint64_t)>& on_bytes = {});

// One entry found under a directory tree.
struct TreeEntry {
    enum class Kind { regular, symlink, directory, other };
    std::string path;  // relative, '/'-separated
    Kind kind = Kind::regular;
    std::uint64_t size = 0;  // regular files only
};

// Every entry under `dir_fd` in sorted order, recursing into directories but never through a
// symbolic link (a link is listed as one, never followed). At most `max_entries` entries.
// Errors: Io, InvalidInput (more than max_entries, nesting deeper than 64).
Result<std::vector<TreeEntry>> list_tree(int dir_fd, std::size_t max_entries = 100000);

// Runs job(i) for i in [0, count) on up to `threads` threads (0: one per core). Each job runs
// exactly once; the call returns when all have finished.
void run_parallel(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& job);

// One file to hash beneath a directory: its relative path and the size it is expected to have.
struct HashJob {
    std::string path;
    std::uint64_t expected_size = 0;
    bool want_sha512 = false;
};

// What happened to one HashJob. Exactly one of `error` (the file could not be opened or read),
// a size mismatch (`stat_size` differs from the expected size: the file is never read) or
// `digest` (hashed, reading at most expected_size + 1 bytes) is set.
struct HashOutcome {
    std::optional<Error> error;
    std::uint64_t stat_size = 0;
    std::optional<FileDigest> digest;
    bool size_mismatch() const { return !error && !digest; }
    // The file grew or shrank while it was read.
    bool changed_while_read(std::uint64_t expected) const {
        return digest && (digest->over_limit || digest->size != expected);
    }
};

// Opens every job's path beneath `dir_fd` (open_regular_beneath) and hashes it capped at its
// expected size, files in parallel on up to `threads` threads (0: one per core). `progress`
// hears the bytes done over all jobs (calls serialized under one mutex). Shared by
// `manifest create` and `verify --artifacts`, so both read files the same way. Never fails as
// a whole: each outcome says what happened to its file.
std::vector<HashOutcome> hash_files_beneath(int dir_fd, const std::vector<HashJob>& jobs,
                                            unsigned threads, const ProgressFn& progress);

}  // namespace otasign::core
