#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

namespace otasign {
namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

Status fsync_directory(const fs::path& dir) {
    core::Fd dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd)
        return make_error(ErrorCode::Io,
                          "cannot open directory " + dir.string() + ": " + errno_text(errno));
    int rc = ::fsync(dfd.get());
    int err = errno;
    if (rc != 0)
        return make_error(ErrorCode::Io,
                          "cannot fsync directory " + dir.string() + ": " + errno_text(err));
    return ok_status();
}

std::string temp_prefix(const fs::path& target) {
    // Appended, not `"." + name`: inserting at the front of a string is what GCC 12 at -O3
    // misreads as an overlapping memcpy (-Wrestrict, GCC bug 105329).
    std::string name = target.filename().string();
    std::string prefix;
    prefix.reserve(name.size() + 6);
    prefix.append(1, '.').append(name).append(".tmp.");
    return prefix;
}

Result<fs::path> resolve_write_path(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::error_code ec;
    fs::path target = fs::canonical(path, ec);
    if (ec)
        return make_error(ErrorCode::Io,
                          path.string() + " is a symbolic link whose target does not exist",
                          "otasign writes through a link only to an existing file; create the "
                          "target or pass the real path");
    return target;
}

AtomicFile::AtomicFile(fs::path target, fs::path temp, core::Fd fd)
    : m_target(std::move(target)), m_temp(std::move(temp)), m_fd(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_target(std::move(other.m_target)),
      m_temp(std::move(other.m_temp)),
      m_fd(std::move(other.m_fd)),
      m_committed(other.m_committed) {
    other.m_committed = true;  // the moved-from object owns nothing to clean up
}

AtomicFile::~AtomicFile() {
    m_fd.reset();
    if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

Result<AtomicFile> AtomicFile::create(const fs::path& target) {
    fs::path dir = target.parent_path();
    std::random_device rd;
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, "%08x", rd());
        std::string name = temp_prefix(target);
        name.append(suffix);
        fs::path temp = dir / name;
        core::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (fd) return AtomicFile(target, temp, std::move(fd));
        if (errno != EEXIST)
            return make_error(ErrorCode::Io, "cannot create a temporary file beside " +
                                                 target.string() + ": " + errno_text(errno));
    }
    return make_error(ErrorCode::Io,
                      "cannot create a unique temporary file beside " + target.string());
}

Status AtomicFile::write(std::string_view bytes) {
    if (!m_fd) return make_error(ErrorCode::Internal, "write after commit to " + m_target.string());
    while (!bytes.empty()) {
        ssize_t n = ::write(m_fd.get(), bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(ErrorCode::Io,
                              "cannot write " + m_target.string() + ": " + errno_text(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

Status AtomicFile::sync() {
    if (!m_fd) return ok_status();
    if (::fsync(m_fd.get()) != 0)
        return make_error(ErrorCode::Io,
                          "cannot fsync " + m_target.string() + ": " + errno_text(errno));
    m_fd.reset();
    return ok_status();
}

Status AtomicFile::commit(Overwrite overwrite) {
    if (m_committed)
        return make_error(ErrorCode::Internal, "double commit of " + m_target.string());
    OTASIGN_TRY(sync());
    if (overwrite == Overwrite::yes) {
        struct stat st {};
        if (::lstat(m_target.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
            return make_error(
                ErrorCode::Io,
                m_target.string() + " is a symbolic link; otasign never replaces a link",
                "pass the link's target, or remove the link");
        if (::rename(m_temp.c_str(), m_target.c_str()) != 0)
            return make_error(ErrorCode::Io,
                              "cannot rename into " + m_target.string() + ": " + errno_text(errno));
    } else {
        // link(2) fails with EEXIST instead of replacing: no window in which an existing file
        // could be overwritten.
        if (::link(m_temp.c_str(), m_target.c_str()) != 0) {
            int err = errno;
            // An existing output is a refused argument (exit 3), like `policy init` on a policy.
            return make_error(err == EEXIST ? ErrorCode::InvalidInput : ErrorCode::Io,
                              "cannot create " + m_target.string() + ": " + errno_text(err),
                              err == EEXIST ? "the file exists; otasign never overwrites it" : "");
        }
        ::unlink(m_temp.c_str());
    }
    m_committed = true;
    return fsync_directory(m_target.parent_path());
}

Status write_file_atomic(const fs::path& path, std::string_view bytes, Overwrite overwrite) {
    OTASIGN_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::create(path));
    OTASIGN_TRY(file.write(bytes));
    return file.commit(overwrite);
}

std::string input_name(const fs::path& path) { return path == "-" ? "<stdin>" : path.string(); }

Result<std::string> read_file(const fs::path& path, std::uint64_t max_bytes) {
    std::string out;
    if (path == "-") {
        char buf[65536];
        while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
            out.append(buf, static_cast<std::size_t>(std::cin.gcount()));
            if (out.size() > max_bytes)
                return make_error(ErrorCode::InvalidInput,
                                  "<stdin>: input exceeds the size limit of " +
                                      std::to_string(max_bytes) + " bytes");
        }
        return out;
    }
    core::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return make_error(ErrorCode::InvalidInput,
                          path.string() + ": cannot read: " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return make_error(ErrorCode::InvalidInput, path.string() + ": cannot read: is a directory");
    }
    // Sized once: growing by doubling would copy a large input several times and could leave
    // it in a buffer up to twice its size.
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        const auto size = static_cast<std::uint64_t>(st.st_size);
        out.reserve(static_cast<std::size_t>(std::min(size, max_bytes)) + 1);
    }
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            return make_error(ErrorCode::InvalidInput,
                              path.string() + ": cannot read: " + errno_text(err));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_bytes) {
            return make_error(ErrorCode::InvalidInput, path.string() +
                                                           ": input exceeds the size limit of " +
                                                           std::to_string(max_bytes) + " bytes");
        }
    }
    return out;
}

}  // namespace otasign
