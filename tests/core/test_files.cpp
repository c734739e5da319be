#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/digest.hpp"
#include "core/files.hpp"

using namespace otasign;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const char* name) {
    fs::path dir = fs::temp_directory_path() /
                   (std::string("otasign-files-") + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("open_regular_beneath: only regular files strictly beneath, no links", "[core][files]") {
    fs::path dir = fresh_dir("beneath");
    write(dir / "root/a/file.bin", "hello");
    write(dir / "outside.bin", "secret");
    fs::create_symlink("file.bin", dir / "root/a/link-inside");
    fs::create_symlink("../../outside.bin", dir / "root/a/link-out");
    fs::create_directory_symlink("a", dir / "root/dirlink");
    REQUIRE(::mkfifo((dir / "root/a/fifo").c_str(), 0600) == 0);
    auto root = core::open_directory(dir / "root");
    REQUIRE(root.ok());
    struct stat st {};

    auto ok = core::open_regular_beneath(root->get(), "a/file.bin", &st);
    REQUIRE(ok.ok());
    CHECK(st.st_size == 5);

    auto bad = [&](const char* path, const char* why) {
        auto r = core::open_regular_beneath(root->get(), path, &st);
        REQUIRE_FALSE(r.ok());
        INFO(r.error().detail);
        CHECK(r.error().detail.find(why) != std::string::npos);
    };
    bad("a/link-inside", "symbolic link");
    bad("a/link-out", "symbolic link");
    bad("dirlink/file.bin", "symbolic link");
    bad("a/fifo", "a FIFO");
    bad("a", "a directory");
    bad("../outside.bin", "'..'");
    bad("/etc/passwd", "absolute");
    bad("a//file.bin", "empty");
    bad("a/missing", "no such file");
    fs::remove_all(dir);
}

TEST_CASE("open_directory: a clear error for a missing directory or a file", "[core][files]") {
    fs::path dir = fresh_dir("opendir");
    write(dir / "f", "x");
    auto missing = core::open_directory(dir / "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::InvalidInput);
    CHECK(missing.error().detail.find("no such directory") != std::string::npos);
    auto file = core::open_directory(dir / "f");
    REQUIRE_FALSE(file.ok());
    CHECK(file.error().detail.find("not a directory") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("hash_file: one pass, both digests, never past limit + 1", "[core][files]") {
    fs::path dir = fresh_dir("hash");
    std::string data(300000, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
    write(dir / "f", data);
    int fd = ::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::uint64_t heard = 0;
    auto d = core::hash_file(fd, data.size(), true, [&](std::uint64_t n) { heard += n; });
    REQUIRE(d.ok());
    CHECK(d->size == data.size());
    CHECK_FALSE(d->over_limit);
    CHECK(d->sha256 == sha256_hex(data));
    CHECK(d->sha512 == to_hex(hash_bytes(HashAlg::sha512, data)));
    CHECK(heard == data.size());
    REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
    auto capped = core::hash_file(fd, 1000, false);
    REQUIRE(capped.ok());
    CHECK(capped->over_limit);
    CHECK(capped->size == 1001);
    CHECK_FALSE(capped->sha512);
    ::close(fd);
    // an endless source stops at the limit too
    int zero = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    REQUIRE(zero >= 0);
    auto endless = core::hash_file(zero, 1 << 20, false);
    ::close(zero);
    REQUIRE(endless.ok());
    CHECK(endless->over_limit);
    CHECK(endless->size == (1u << 20) + 1);
    fs::remove_all(dir);
}

TEST_CASE("list_tree: every entry, links listed and never followed", "[core][files]") {
    fs::path dir = fresh_dir("tree");
    write(dir / "b/c.txt", "c");
    write(dir / "a.txt", "a");
    write(dir / "elsewhere/x.txt", "x");
    fs::create_directory_symlink(dir / "elsewhere", dir / "b/link");
    auto root = core::open_directory(dir);
    REQUIRE(root.ok());
    auto tree = core::list_tree(root->get());
    REQUIRE(tree.ok());
    std::vector<std::string> paths;
    for (const auto& e : *tree) paths.push_back(e.path);
    CHECK(paths == std::vector<std::string>{"a.txt", "b", "b/c.txt", "b/link", "elsewhere",
                                            "elsewhere/x.txt"});
    CHECK((*tree)[3].kind == core::TreeEntry::Kind::symlink);
    CHECK((*tree)[0].size == 1);
    auto capped = core::list_tree(root->get(), 3);
    CHECK_FALSE(capped.ok());
    fs::remove_all(dir);
}

TEST_CASE("run_parallel: every job exactly once", "[core][files]") {
    for (unsigned threads : {0u, 1u, 2u, 7u}) {
        std::vector<std::atomic<int>> hits(1000);
        core::run_parallel(hits.size(), threads, [&](std::size_t i) { hits[i]++; });
        for (auto& h : hits) CHECK(h.load() == 1);
    }
    core::run_parallel(0, 4, [](std::size_t) { FAIL("no job expected"); });
}
