#pragma once
// Files that are replaced whole or not at all. AtomicFile writes into a temporary file beside
// the target and only commit() (fsync, rename, fsync of the directory) makes it visible; if
// commit() is never reached the destructor removes the temporary and the old file stays as it was.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

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
    // fsync, then rename over the target (or, with Overwrite::no, link into place and fail if
    // the target exists), then fsync the directory. Errors: Io.
    Status commit(Overwrite overwrite);

    const std::filesystem::path& target() const { return m_target; }

private:
    AtomicFile(std::filesystem::path target, std::filesystem::path temp, int fd);
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    int m_fd = -1;
    bool m_committed = false;
};

// Writes `bytes` to `path` atomically. Errors: InvalidInput (the file exists, with
// Overwrite::no), Io.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                         Overwrite overwrite);

// Reads a whole file (at most `max_bytes`; larger is InvalidInput). "-" reads standard input.
// Errors: InvalidInput naming the path when it cannot be read.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::uint64_t max_bytes = 64ull * 1024 * 1024);

}  // namespace otasign
