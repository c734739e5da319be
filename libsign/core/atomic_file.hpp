#pragma once
// Files that are replaced whole or not at all. AtomicFile writes into a temporary file beside
// the target and only commit() (fsync, rename, fsync of the directory) makes it visible; if
// commit() is never reached the destructor removes the temporary and the old file stays as it was.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/fd.hpp"
#include "core/result.hpp"

namespace otasign {

enum class Overwrite { no, yes };

class AtomicFile {
  public:
    // Creates a temporary file beside `target`, mode 0644. Errors: Io.
    static Result<AtomicFile> create(const std::filesystem::path& target);

    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    ~AtomicFile();

    // Appends bytes to the temporary file. Errors: Io.
    Status write(std::string_view bytes);
    // Makes the temporary durable (fsync, close) without making it visible; commit() follows.
    // Errors: Io.
    Status sync();
    // fsync, then rename over the target (or, with Overwrite::no, link into place and fail if
    // the target exists), then fsync the directory. A target that is a symbolic link is never
    // replaced: resolve it first (resolve_write_path). Errors: Io.
    Status commit(Overwrite overwrite);

    const std::filesystem::path& target() const { return m_target; }
    const std::filesystem::path& temp() const { return m_temp; }

  private:
    AtomicFile(std::filesystem::path target, std::filesystem::path temp, core::Fd fd);
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    core::Fd m_fd;
    bool m_committed = false;
};

// Writes `bytes` to `path` atomically. Errors: InvalidInput (the file exists, with
// Overwrite::no), Io.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                         Overwrite overwrite);

// The name prefix of AtomicFile's temporaries for `target` (".NAME.tmp."), so that leftovers of
// an interrupted write can be found beside it.
std::string temp_prefix(const std::filesystem::path& target);

// Where a write to `path` must go: `path` itself when it is not a symbolic link, else the
// link's final target (written through, the link left as it is). Errors: Io for a link whose
// target does not exist (otasign writes through a link only to an existing file).
Result<std::filesystem::path> resolve_write_path(const std::filesystem::path& path);

// fsyncs a directory, so that renames and links in it are durable. Errors: Io.
Status fsync_directory(const std::filesystem::path& dir);

// How messages name an input path: "<stdin>" for "-" (which read_file reads as standard
// input), the path itself otherwise. Every command names standard input the same way.
std::string input_name(const std::filesystem::path& path);

// Reads a whole file (at most `max_bytes`; larger is InvalidInput). "-" reads standard input.
// Errors: InvalidInput naming the path when it cannot be read.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::uint64_t max_bytes = 64ull * 1024 * 1024);

}  // namespace otasign
