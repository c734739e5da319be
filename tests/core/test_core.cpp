#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/secret.hpp"

using namespace otasign;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const char* name) {
    fs::path dir = fs::temp_directory_path() / (std::string("otasign-core-") + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("sha256 of the empty string is the FIPS 180-4 value") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Hasher: incremental digests equal one-shot ones, and a spent Hasher reports an error") {
    auto h = Hasher::create(HashAlg::sha256);
    REQUIRE(h.ok());
    REQUIRE(h->update("a", 1).ok());
    REQUIRE(h->update("bc", 2).ok());
    auto digest = h->finish();
    REQUIRE(digest.ok());
    CHECK(to_hex(*digest) == sha256_hex("abc"));
    // finish() spends it: a second finish or update is an error, not a throw or a crash.
    CHECK(h->finish().error().code == ErrorCode::Internal);
    CHECK(h->update("x", 1).error().code == ErrorCode::Internal);
    auto h512 = Hasher::create(HashAlg::sha512);
    REQUIRE(h512.ok());
    CHECK(h512->finish()->size() == 64);
}

namespace {
// Runs `misuse` in a child; returns its stderr, and whether it died of SIGABRT.
std::pair<std::string, bool> run_child(void (*misuse)()) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], 2);
        misuse();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string err;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, std::size_t(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {err, WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT};
}
}  // namespace

// assert() is compiled out of Release builds: a misused Result must stop the program anyway.
TEST_CASE("a misused Result aborts with a message in every build type") {
    auto [value_err, value_aborted] = run_child([] {
        Result<int> failed = make_error(ErrorCode::Io, "disk gone");
        volatile int v = failed.value();
        (void)v;
    });
    CHECK(value_aborted);
    CHECK(value_err.find("otasign: internal error: value() of a failed Result") !=
          std::string::npos);
    auto [error_err, error_aborted] = run_child([] {
        Result<int> good = 1;
        volatile auto code = good.error().code;
        (void)code;
    });
    CHECK(error_aborted);
    CHECK(error_err.find("otasign: internal error: error() of a good Result") != std::string::npos);
}

TEST_CASE("hex round trip and rejection of non-hex") {
    auto bytes = from_hex("00ff10Ab");
    REQUIRE(bytes.ok());
    CHECK(to_hex(*bytes) == "00ff10ab");
    CHECK_FALSE(from_hex("abc").ok());
    CHECK_FALSE(from_hex("zz").ok());
}

TEST_CASE("atomic write without overwrite refuses an existing file and leaves it intact") {
    auto dir = fresh_dir("noover");
    auto target = dir / "bundle.sig";
    REQUIRE(write_file_atomic(target, "first", Overwrite::no).ok());
    auto second = write_file_atomic(target, "second", Overwrite::no);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == ErrorCode::InvalidInput);  // a refused output argument, exit 3
    CHECK(slurp(target) == "first");
    // No temporary file is left behind.
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    fs::remove_all(dir);
}

TEST_CASE("an uncommitted atomic file leaves the old content and no temporary") {
    auto dir = fresh_dir("uncommitted");
    auto target = dir / "log.jsonl";
    REQUIRE(write_file_atomic(target, "old", Overwrite::yes).ok());
    {
        auto file = AtomicFile::create(target);
        REQUIRE(file.ok());
        REQUIRE(file->write("new content").ok());
    }
    CHECK(slurp(target) == "old");
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    REQUIRE(write_file_atomic(target, "replaced", Overwrite::yes).ok());
    CHECK(slurp(target) == "replaced");
    fs::remove_all(dir);
}

TEST_CASE("read_file names the path when it cannot be read") {
    auto r = read_file("/nonexistent/otasign/manifest.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidInput);
    CHECK(r.error().detail.find("/nonexistent/otasign/manifest.json") != std::string::npos);
}

TEST_CASE("read_file enforces the size limit") {
    auto dir = fresh_dir("limit");
    REQUIRE(write_file_atomic(dir / "big", std::string(100, 'x'), Overwrite::no).ok());
    CHECK_FALSE(read_file(dir / "big", 99).ok());
    CHECK(read_file(dir / "big", 100).ok());
    fs::remove_all(dir);
}

TEST_CASE("SecretBuffer wipes on clear and refuses overflow") {
    SecretBuffer s;
    for (std::size_t i = 0; i < SecretBuffer::kCapacity; ++i) REQUIRE(s.push_back('7'));
    CHECK_FALSE(s.push_back('8'));
    const std::uint8_t* p = s.data();
    s.clear();
    CHECK(s.size() == 0);
    for (std::size_t i = 0; i < SecretBuffer::kCapacity; ++i) CHECK(p[i] == 0);
    const std::uint8_t pin[] = {'1', '2', '3'};
    REQUIRE(s.assign(pin));
    CHECK(s.equals(pin));
    SecretBuffer moved = std::move(s);
    CHECK(s.empty());
    CHECK(moved.equals(pin));
}
