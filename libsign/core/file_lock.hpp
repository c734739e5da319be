#pragma once
// An exclusive advisory lock (flock) on a lock file that is created once and never removed, so
// that every process locking the same path locks the same inode.

#include <filesystem>
#include <functional>

#include "core/fd.hpp"
#include "core/result.hpp"

namespace otasign {

class FileLock {
  public:
    // Opens or creates `lock_path` (mode 0644, never through a symbolic link) and takes an
    // exclusive lock on it. When another process holds the lock, calls `on_wait` once, then
    // waits for it. Errors: Io.
    static Result<FileLock> acquire(const std::filesystem::path& lock_path,
                                    const std::function<void()>& on_wait);

    // Whether another process holds the lock on `lock_path` right now; false when the file does
    // not exist. Never creates the file and never waits (for read-only commands).
    static bool held_elsewhere(const std::filesystem::path& lock_path);

    FileLock(FileLock&& other) noexcept = default;
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    ~FileLock() = default;  // closing the descriptor releases the flock

    const std::filesystem::path& path() const { return m_path; }

  private:
    FileLock(std::filesystem::path path, core::Fd fd)
        : m_path(std::move(path)), m_fd(std::move(fd)) {}
    std::filesystem::path m_path;
    core::Fd m_fd;
};

}  // namespace otasign
