#include "policy/manifest_checks.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/digest.hpp"

namespace otasign::policy {

Status check_rollback(const manifest::Manifest& m, std::uint64_t min_index, std::string_view what) {
    if (m.rollback_index < min_index)
        return make_error(ErrorCode::PolicyViolation,
                          "rollbackIndex " + std::to_string(m.rollback_index) + " is below " +
                              std::to_string(min_index) + " (" + std::string(what) + ")",
                          "a release must not lower the rollback index");
    return ok_status();
}

Status check_expiry(const manifest::Manifest& m, const manifest::Timestamp& now) {
    if (!(m.expires > now))
        return make_error(ErrorCode::PolicyViolation,
                          "the manifest expired at " + m.expires.text + " (now " + now.text + ")");
    return ok_status();
}

namespace {

bool safe_relative(const std::filesystem::path& p) {
    if (p.empty() || p.is_absolute()) return false;
    for (const auto& part : p)
        if (part == "..") return false;
    return true;
}

}  // namespace

std::vector<ArtifactCheck> check_artifacts(const manifest::Manifest& m,
                                           const std::filesystem::path& dir,
                                           const ProgressFn& progress) {
    std::vector<ArtifactCheck> out;
    // The total is what is on disk (not what the manifest claims), so the bar ends at 100%.
    std::uint64_t total = 0, done = 0;
    if (progress) {
        for (const auto& a : m.artifacts) {
            std::filesystem::path rel(a.path);
            struct stat sb {};
            if (safe_relative(rel) && ::stat((dir / rel).c_str(), &sb) == 0 && S_ISREG(sb.st_mode))
                total += static_cast<std::uint64_t>(sb.st_size);
        }
        progress(0, total, "");
    }
    for (const auto& a : m.artifacts) {
        ArtifactCheck c;
        c.path = a.path;
        std::filesystem::path rel(a.path);
        if (!safe_relative(rel)) {
            c.detail = "the path is absolute or leaves the artifacts directory";
            out.push_back(std::move(c));
            continue;
        }
        std::filesystem::path full = dir / rel;
        int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            c.detail = full.string() + ": " + std::strerror(errno);
            out.push_back(std::move(c));
            continue;
        }
        Hasher h256(HashAlg::sha256);
        Hasher h512(HashAlg::sha512);
        std::uint64_t size = 0;
        bool read_error = false;
        static thread_local char buf[1 << 16];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                read_error = true;
                c.detail = full.string() + ": " + std::strerror(errno);
                break;
            }
            if (n == 0) break;
            size += static_cast<std::uint64_t>(n);
            if (progress) {
                done += static_cast<std::uint64_t>(n);
                if (done > total) total = done;  // a file grew while we read it
                progress(done, total, a.path);
            }
            h256.update(buf, static_cast<std::size_t>(n));
            if (a.sha512) h512.update(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        if (read_error) {
            out.push_back(std::move(c));
            continue;
        }
        std::string got256 = to_hex(h256.finish());
        std::string got512 = to_hex(h512.finish());
        if (size != a.size)
            c.detail =
                "size " + std::to_string(size) + ", the manifest says " + std::to_string(a.size);
        else if (got256 != a.sha256)
            c.detail = "sha256 " + got256 + ", the manifest says " + a.sha256;
        else if (a.sha512 && got512 != *a.sha512)
            c.detail = "sha512 " + got512 + ", the manifest says " + *a.sha512;
        else {
            c.ok = true;
            c.detail = a.sha512 ? "size, sha256 and sha512 match" : "size and sha256 match";
        }
        out.push_back(std::move(c));
    }
    if (progress) progress(total, total, "");
    return out;
}

}  // namespace otasign::policy
