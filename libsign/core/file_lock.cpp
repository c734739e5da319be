#include "core/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace otasign {

Result<FileLock> FileLock::acquire(const std::filesystem::path& lock_path,
                                   const std::function<void()>& on_wait) {
    core::Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd)
        return make_error(ErrorCode::Io, "cannot open the lock file " + lock_path.string() + ": " +
                                             std::strerror(errno));
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(lock_path, std::move(fd));
    if (errno != EWOULDBLOCK)
        return make_error(ErrorCode::Io,
                          "cannot lock " + lock_path.string() + ": " + std::strerror(errno));
    if (on_wait) on_wait();
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR)
            return make_error(ErrorCode::Io,
                              "cannot lock " + lock_path.string() + ": " + std::strerror(errno));
    }
    return FileLock(lock_path, std::move(fd));
}

bool FileLock::held_elsewhere(const std::filesystem::path& lock_path) {
    core::Fd fd(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return false;
    return ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

}  // namespace otasign
