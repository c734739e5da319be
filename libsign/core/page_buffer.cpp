#include "core/page_buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/fd.hpp"

namespace otasign::core {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// The length actually mapped for a request of `bytes`: whole huge pages from kPageMappedMin
// up (so the last one can be huge too), whole small pages below.
std::size_t mapped_length(std::size_t bytes) {
    if (bytes >= kPageMappedMin) return round_up(bytes, kHugePage);
    return round_up(std::max<std::size_t>(bytes, 1),
                    static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
}

// PageBuffer's length: whole small pages. Not huge pages: a buffer written whole at once gains
// nothing from faulting 2 MiB at a time once it is populated, and on a VM that hands free
// memory back to its host, huge pages are often cold there (bench/RESULTS.md).
std::size_t buffer_length(std::size_t capacity) {
    return round_up(std::max<std::size_t>(capacity, 1),
                    static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
}

void advise_huge(void* p, std::size_t length) {
    // Advice only: without it (THP off, or an old kernel) the pages are small and that is all.
    (void)::madvise(p, length, MADV_HUGEPAGE);
}

Error out_of_memory(std::size_t bytes) {
    return make_error(ErrorCode::Io, "cannot allocate " + std::to_string(bytes) +
                                         " bytes: " + std::strerror(errno));
}

}  // namespace

void* map_pages(std::size_t bytes) noexcept {
    if (bytes > static_cast<std::size_t>(-1) / 2) return nullptr;
    const std::size_t length = mapped_length(bytes);
    if (bytes < kPageMappedMin) {
        void* p =
            ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
    // A huge page needs a 2 MiB aligned address, which mmap does not promise: map one huge
    // page more and give back the unaligned head and the tail.
    void* raw = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = round_up(start, kHugePage);
    if (aligned != start) ::munmap(raw, aligned - start);
    const std::size_t tail = kHugePage - (aligned - start);
    if (tail != 0) ::munmap(reinterpret_cast<void*>(aligned + length), tail);
    void* p = reinterpret_cast<void*>(aligned);
    advise_huge(p, length);
    return p;
}

void unmap_pages(void* p, std::size_t bytes) noexcept {
    if (p != nullptr) ::munmap(p, mapped_length(bytes));
}

Result<PageBuffer> PageBuffer::with_capacity(std::size_t capacity) {
    if (capacity > static_cast<std::size_t>(-1) / 2) return out_of_memory(capacity);
    void* p = ::mmap(nullptr, buffer_length(capacity), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) return out_of_memory(capacity);
    PageBuffer buffer;
    buffer.m_data = static_cast<char*>(p);
    buffer.m_capacity = capacity;
    return buffer;
}

Status PageBuffer::grow(std::size_t capacity) {
    if (capacity <= m_capacity) return ok_status();
    if (m_data == nullptr) {
        OTASIGN_ASSIGN_OR_RETURN(PageBuffer fresh, with_capacity(capacity));
        *this = std::move(fresh);
        return ok_status();
    }
    const std::size_t old_length = buffer_length(m_capacity);
    const std::size_t new_length = buffer_length(capacity);
    if (new_length != old_length) {
        void* p = ::mremap(m_data, old_length, new_length, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) return out_of_memory(capacity);
        m_data = static_cast<char*>(p);
    }
    m_capacity = capacity;
    return ok_status();
}

void PageBuffer::release() noexcept {
    if (m_data != nullptr) ::munmap(m_data, buffer_length(m_capacity));
    m_data = nullptr;
    m_size = m_capacity = 0;
}

namespace {

Error read_error(const std::string& name, int err) {
    return make_error(ErrorCode::InvalidInput, name + ": cannot read: " + std::strerror(err));
}

Error too_large(const std::string& name, std::uint64_t max_bytes) {
    return make_error(ErrorCode::InvalidInput, name + ": input exceeds the size limit of " +
                                                   std::to_string(max_bytes) + " bytes");
}

}  // namespace

Result<PageBuffer> read_file_pages(const std::filesystem::path& path, std::uint64_t max_bytes) {
    const bool is_stdin = path == "-";
    const std::string name = is_stdin ? "<stdin>" : path.string();
    Fd owned;
    int fd = STDIN_FILENO;
    if (!is_stdin) {
        owned.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!owned) return read_error(name, errno);
        fd = owned.get();
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) return read_error(name, errno);
    if (S_ISDIR(st.st_mode))
        return make_error(ErrorCode::InvalidInput, name + ": cannot read: is a directory");
    // One byte more than the limit tells an input over it; a regular file is read into a
    // buffer sized once from its length (+1 to see it grow), anything else grows as it comes.
    const std::uint64_t limit =
        std::min<std::uint64_t>(max_bytes, static_cast<std::size_t>(-1) / 4);
    std::uint64_t want = 64 * 1024;
    if (S_ISREG(st.st_mode) && st.st_size > 0) want = static_cast<std::uint64_t>(st.st_size) + 1;
    OTASIGN_ASSIGN_OR_RETURN(
        PageBuffer buffer,
        PageBuffer::with_capacity(static_cast<std::size_t>(std::min(want, limit + 1))));
    std::size_t used = 0;
    for (;;) {
        if (used == buffer.capacity()) {
            if (used > limit) return too_large(name, max_bytes);
            const std::size_t next = static_cast<std::size_t>(
                std::min<std::uint64_t>(std::uint64_t{used} * 2, limit + 1));
            OTASIGN_TRY(buffer.grow(next));
        }
        const ssize_t n = ::read(fd, buffer.data() + used, buffer.capacity() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return read_error(name, errno);
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    if (used > limit) return too_large(name, max_bytes);
    buffer.set_size(used);
    return buffer;
}

}  // namespace otasign::core
