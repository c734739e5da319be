#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/page_buffer.hpp"

using namespace otasign;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const char* name) {
    fs::path dir = fs::temp_directory_path() /
                   (std::string("otasign-pages-") + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Bytes that differ from page to page, so a page lost or repeated on the way shows.
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    return s;
}

}  // namespace

TEST_CASE("read_file_pages reads regular files of every size exactly") {
    auto dir = fresh_dir("sizes");
    // Empty, small, around the 2 MiB where mapped memory turns to huge pages, and past it.
    for (std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{4096}, std::size_t{65537},
          core::kPageMappedMin - 1, core::kPageMappedMin, core::kPageMappedMin * 3 + 17}) {
        const std::string want = pattern(n);
        REQUIRE(write_file_atomic(dir / "f", want, Overwrite::yes).ok());
        auto r = core::read_file_pages(dir / "f", n);
        REQUIRE(r.ok());
        CHECK(r->size() == n);
        CHECK(r->view() == want);
    }
    fs::remove_all(dir);
}

TEST_CASE("read_file_pages enforces the size limit to the byte") {
    auto dir = fresh_dir("limit");
    REQUIRE(write_file_atomic(dir / "big", std::string(100, 'x'), Overwrite::no).ok());
    auto over = core::read_file_pages(dir / "big", 99);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().code == ErrorCode::InvalidInput);
    CHECK(over.error().detail.find("size limit of 99 bytes") != std::string::npos);
    CHECK(core::read_file_pages(dir / "big", 100).ok());
    fs::remove_all(dir);
}

TEST_CASE("read_file_pages names the path it cannot read and refuses a directory") {
    auto missing = core::read_file_pages("/nonexistent/otasign/manifest.json", 1000);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::InvalidInput);
    CHECK(missing.error().detail.find("/nonexistent/otasign/manifest.json") != std::string::npos);
    auto dir = fresh_dir("dir");
    auto is_dir = core::read_file_pages(dir, 1000);
    REQUIRE_FALSE(is_dir.ok());
    CHECK(is_dir.error().detail.find("is a directory") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("read_file_pages grows its buffer for input of unknown length (a FIFO)") {
    auto dir = fresh_dir("fifo");
    const fs::path fifo = dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Past the first 64 KiB guess and past the huge-page threshold: several grows.
    const std::string want = pattern(core::kPageMappedMin * 2 + 12345);
    std::thread writer([&] {
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        if (fd < 0) return;
        for (std::size_t at = 0; at < want.size();) {
            const ssize_t n = ::write(fd, want.data() + at, want.size() - at);
            if (n <= 0) break;
            at += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
    auto r = core::read_file_pages(fifo, want.size());
    writer.join();
    REQUIRE(r.ok());
    CHECK(r->view() == want);
    fs::remove_all(dir);
}

TEST_CASE("a FIFO longer than the limit is refused") {
    auto dir = fresh_dir("fifo-limit");
    const fs::path fifo = dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const std::string data = pattern(200000);
    ::signal(SIGPIPE, SIG_IGN);
    std::thread writer([&] {
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        if (fd < 0) return;
        // The reader stops past the limit and closes: the rest fails with EPIPE.
        (void)!::write(fd, data.data(), data.size());
        ::close(fd);
    });
    auto r = core::read_file_pages(fifo, 150000);
    CHECK_FALSE(r.ok());
    writer.join();
    fs::remove_all(dir);
}

TEST_CASE("PageBuffer::grow keeps the bytes already read") {
    auto buffer = core::PageBuffer::with_capacity(1000);
    REQUIRE(buffer.ok());
    const std::string head = pattern(1000);
    std::copy(head.begin(), head.end(), buffer->data());
    buffer->set_size(head.size());
    REQUIRE(buffer->grow(core::kPageMappedMin * 2).ok());
    CHECK(buffer->capacity() == core::kPageMappedMin * 2);
    CHECK(buffer->view() == head);
    buffer->data()[core::kPageMappedMin * 2 - 1] = 'z';  // the whole capacity is writable
}

TEST_CASE("vectors on PageAllocator keep their elements across small and mapped sizes") {
    std::vector<std::uint64_t, core::PageAllocator<std::uint64_t>> v;
    const std::size_t n = core::kPageMappedMin / sizeof(std::uint64_t) * 3;
    for (std::size_t i = 0; i < n; ++i) v.push_back(i * 2654435761u);  // grows through both
    bool all = true;
    for (std::size_t i = 0; i < n; ++i) all = all && v[i] == i * 2654435761u;
    CHECK(all);
    v.clear();
    v.shrink_to_fit();
    v.reserve(n);
    v.push_back(1);
    CHECK(v.front() == 1);
}
