#include "core/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace otasign {

Result<FileLock> FileLock::acquire(const std::filesystem::path& lock_path,
                                   const std::function<void()>& on_wait) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return make_error(ErrorCode::Io, "cannot open the lock file " + lock_path.string() + ": " +
                                             std::strerror(errno));
    FileLock lock(lock_path, fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
    if (errno != EWOULDBLOCK)
        return make_error(ErrorCode::Io,
                          "cannot lock " + lock_path.string() + ": " + std::strerror(errno));
    if (on_wait) on_wait();
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR)
            return make_error(ErrorCode::Io,
                              "cannot lock " + lock_path.string() + ": " + std::strerror(errno));
    }
    return lock;
}

bool FileLock::held_elsewhere(const std::filesystem::path& lock_path) {
    int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

FileLock::FileLock(FileLock&& other) noexcept : m_path(std::move(other.m_path)), m_fd(other.m_fd) {
    other.m_fd = -1;
}

FileLock::~FileLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing the last descriptor releases the flock
}

}  // namespace otasign
