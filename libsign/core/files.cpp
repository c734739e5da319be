#include "core/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "core/digest.hpp"

namespace otasign::core {

namespace {

Error io_error(std::string_view what, int err) {
    return make_error(ErrorCode::Io, std::string(what) + ": " + std::strerror(err));
}

// Why opening `relative` failed, in the words of the rule it broke.
Error open_problem(std::string_view relative, int err) {
    std::string at(relative);
    switch (err) {
        case ELOOP:
            return make_error(ErrorCode::InvalidInput,
                              at + ": a symbolic link on the path (links are never followed)");
        case EXDEV:
            return make_error(ErrorCode::InvalidInput, at + ": leaves the directory");
        case ENOENT:
            return make_error(ErrorCode::InvalidInput, at + ": no such file");
        case ENOTDIR:
            return make_error(ErrorCode::InvalidInput,
                              at + ": a component of the path is not a directory");
        default:
            return io_error(at, err);
    }
}

// Refuses what no artifact path may be, before the kernel sees it.
std::optional<Error> lexical_problem(std::string_view relative) {
    std::string at(relative);
    if (relative.empty()) return make_error(ErrorCode::InvalidInput, "an empty path");
    if (relative.front() == '/')
        return make_error(ErrorCode::InvalidInput, at + ": an absolute path");
    if (relative.find('\0') != std::string_view::npos)
        return make_error(ErrorCode::InvalidInput, at + ": a NUL byte in the path");
    std::size_t start = 0;
    while (start <= relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string_view::npos) end = relative.size();
        std::string_view part = relative.substr(start, end - start);
        if (part.empty() || part == "." || part == "..")
            return make_error(ErrorCode::InvalidInput,
                              at + ": an empty, '.' or '..' path component");
        start = end + 1;
    }
    return std::nullopt;
}

// -1 with errno ENOSYS (or EPERM under a seccomp filter that does not know it) when the
// kernel cannot do openat2.
int try_openat2(int dir_fd, const std::string& relative, std::uint64_t flags) {
    open_how how{};
    how.flags = flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, dir_fd, relative.c_str(), &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return static_cast<int>(fd);
}

// The fallback: one component at a time, each opened O_NOFOLLOW (a link fails with ELOOP),
// intermediate ones as directories.
int walk_nofollow(int dir_fd, const std::string& relative, int flags) {
    Fd current;
    int at = dir_fd;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = relative.find('/', start);
        std::string part = relative.substr(start, end == std::string::npos ? end : end - start);
        if (end == std::string::npos) {
            int fd;
            do {
                fd = ::openat(at, part.c_str(), flags | O_NOFOLLOW);
            } while (fd < 0 && errno == EINTR);
            return fd;
        }
        int next;
        do {
            next = ::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        } while (next < 0 && errno == EINTR);
        if (next < 0) return -1;
        current.reset(next);
        at = next;
        start = end + 1;
    }
}

}  // namespace

Result<Fd> open_directory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT)
            return make_error(ErrorCode::InvalidInput, dir.string() + ": no such directory");
        if (err == ENOTDIR)
            return make_error(ErrorCode::InvalidInput, dir.string() + ": not a directory");
        return io_error(dir.string(), err);
    }
    return Fd(fd);
}

Result<Fd> open_regular_beneath(int dir_fd, std::string_view relative, struct stat* st) {
    if (auto problem = lexical_problem(relative)) return *problem;
    std::string rel(relative);
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = try_openat2(dir_fd, rel, static_cast<std::uint64_t>(flags));
    if (fd < 0 && (errno == ENOSYS || errno == EPERM)) fd = walk_nofollow(dir_fd, rel, flags);
    if (fd < 0) return open_problem(relative, errno);
    Fd file(fd);
    struct stat sb {};
    if (::fstat(file.get(), &sb) != 0) return io_error(rel, errno);
    if (!S_ISREG(sb.st_mode))
        return make_error(
            ErrorCode::InvalidInput,
            rel + (S_ISDIR(sb.st_mode)    ? ": a directory, not a regular file"
                   : S_ISFIFO(sb.st_mode) ? ": a FIFO, not a regular file"
                   : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? ": a device, not a regular file"
                                                                : ": not a regular file"));
    // Regular files never block; reads go back to blocking mode for clarity.
    int fl = ::fcntl(file.get(), F_GETFL);
    if (fl >= 0) ::fcntl(file.get(), F_SETFL, fl & ~O_NONBLOCK);
    if (st) *st = sb;
    return file;
}

Result<FileDigest> hash_file(int fd, std::uint64_t limit, bool want_sha512,
                             const std::function<void(std::uint64_t)>& on_bytes) {
    constexpr std::size_t kBuffer = 1 << 16;
    std::unique_ptr<char[]> buf(new char[kBuffer]);
    OTASIGN_ASSIGN_OR_RETURN(Hasher h256, Hasher::create(HashAlg::sha256));
    std::optional<Hasher> h512;
    if (want_sha512) {
        OTASIGN_ASSIGN_OR_RETURN(Hasher h, Hasher::create(HashAlg::sha512));
        h512.emplace(std::move(h));
    }
    FileDigest out;
    // One byte past the limit is enough to know the file is too long.
    const std::uint64_t cap = limit == UINT64_MAX ? limit : limit + 1;
    while (out.size < cap) {
        std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(kBuffer, cap - out.size));
        ssize_t n = ::read(fd, buf.get(), want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read", errno);
        if (n == 0) break;
        out.size += static_cast<std::uint64_t>(n);
        OTASIGN_TRY(h256.update(buf.get(), static_cast<std::size_t>(n)));
        if (h512) OTASIGN_TRY(h512->update(buf.get(), static_cast<std::size_t>(n)));
        if (on_bytes) on_bytes(static_cast<std::uint64_t>(n));
    }
    out.over_limit = out.size > limit;
    OTASIGN_ASSIGN_OR_RETURN(auto sha256, h256.finish());
    out.sha256 = to_hex(sha256);
    if (h512) {
        OTASIGN_ASSIGN_OR_RETURN(auto sha512, h512->finish());
        out.sha512 = to_hex(sha512);
    }
    return out;
}

Result<std::vector<TreeEntry>> list_tree(int dir_fd, std::size_t max_entries) {
    std::vector<TreeEntry> out;
    struct Pending {
        Fd fd;
        std::string prefix;
        int depth;
    };
    std::vector<Pending> stack;
    int first = ::dup(dir_fd);
    if (first < 0) return io_error("dup", errno);
    stack.push_back({Fd(first), "", 0});
    while (!stack.empty()) {
        Pending dir = std::move(stack.back());
        stack.pop_back();
        DIR* d = ::fdopendir(dir.fd.get());
        if (!d) return io_error(dir.prefix.empty() ? "." : dir.prefix, errno);
        dir.fd.release();  // owned by `d` now
        std::unique_ptr<DIR, int (*)(DIR*)> closer(d, ::closedir);
        ::rewinddir(d);
        errno = 0;
        while (dirent* e = ::readdir(d)) {
            std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            TreeEntry entry;
            entry.path = dir.prefix + std::string(name);
            struct stat sb {};
            if (::fstatat(::dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
                return io_error(entry.path, errno);
            if (S_ISLNK(sb.st_mode)) {
                entry.kind = TreeEntry::Kind::symlink;
            } else if (S_ISDIR(sb.st_mode)) {
                entry.kind = TreeEntry::Kind::directory;
                if (dir.depth + 1 > 64)
                    return make_error(ErrorCode::InvalidInput,
                                      entry.path + ": directories nested deeper than 64");
                int sub = ::openat(::dirfd(d), e->d_name,
                                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) return io_error(entry.path, errno);
                stack.push_back({Fd(sub), entry.path + "/", dir.depth + 1});
            } else if (S_ISREG(sb.st_mode)) {
                entry.kind = TreeEntry::Kind::regular;
                entry.size = static_cast<std::uint64_t>(sb.st_size);
            } else {
                entry.kind = TreeEntry::Kind::other;
            }
            out.push_back(std::move(entry));
            if (out.size() > max_entries)
                return make_error(
                    ErrorCode::InvalidInput,
                    "more than " + std::to_string(max_entries) + " entries under the directory");
            errno = 0;
        }
        if (errno != 0) return io_error(dir.prefix.empty() ? "." : dir.prefix, errno);
    }
    std::sort(out.begin(), out.end(),
              [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
    return out;
}

void run_parallel(std::size_t count, unsigned threads,
                  const std::function<void(std::size_t)>& job) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, count));
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) job(i);
    };
    if (threads <= 1) {
        worker();
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
}

std::vector<HashOutcome> hash_files_beneath(int dir_fd, const std::vector<HashJob>& jobs,
                                            unsigned threads, const ProgressFn& progress) {
    std::vector<HashOutcome> out(jobs.size());
    std::uint64_t total = 0;
    for (const auto& j : jobs) total += j.expected_size;
    std::mutex mu;
    std::uint64_t done = 0;
    if (progress) progress(0, total, "");
    run_parallel(jobs.size(), threads, [&](std::size_t i) {
        const HashJob& j = jobs[i];
        HashOutcome& o = out[i];
        struct stat st {};
        auto file = open_regular_beneath(dir_fd, j.path, &st);
        if (!file) {
            o.error = file.error();
            return;
        }
        o.stat_size = static_cast<std::uint64_t>(st.st_size);
        // Size first: a file of the wrong size is never read.
        if (o.stat_size != j.expected_size) return;
        auto digest = hash_file(file->get(), j.expected_size, j.want_sha512, [&](std::uint64_t n) {
            if (!progress) return;
            std::lock_guard lock(mu);
            done += n;
            progress(std::min(done, total), total, j.path);
        });
        if (!digest)
            o.error = digest.error();
        else
            o.digest = std::move(digest).value();
    });
    if (progress) progress(total, total, "");
    return out;
}

}  // namespace otasign::core
