#pragma once
// Memory for whole large inputs and the indexes built over them, with few page faults.
//
// A process that reads a 50 MB document into fresh heap memory takes a page fault for every
// 4 KiB it touches, about 13,000 of them, and the kernel time they cost was a third of
// `otasign canonicalize`. PageBuffer, which is written whole at once, is mapped populated
// (MAP_POPULATE: the kernel allocates every page in one call). PageAllocator, for indexes that
// grow into a generous reservation, asks for transparent huge pages (MADV_HUGEPAGE: one fault
// per 2 MiB); where the kernel has none to give they are ordinary pages and only slower.
// bench/RESULTS.md compares the choices.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <new>
#include <string_view>
#include <utility>

#include "core/result.hpp"

namespace otasign::core {

// Below this, mapping memory directly gains nothing: the heap serves it.
inline constexpr std::size_t kPageMappedMin = std::size_t{2} << 20;

// Maps `bytes` of private anonymous memory, from kPageMappedMin up aligned to and advised onto
// huge pages; nullptr when the kernel refuses. unmap_pages releases what map_pages returned,
// with the same size.
void* map_pages(std::size_t bytes) noexcept;
void unmap_pages(void* p, std::size_t bytes) noexcept;

// A move-only byte buffer in private memory mapped populated, for reading a whole file into.
class PageBuffer {
  public:
    PageBuffer() noexcept = default;
    PageBuffer(PageBuffer&& other) noexcept
        : m_data(std::exchange(other.m_data, nullptr)),
          m_size(std::exchange(other.m_size, 0)),
          m_capacity(std::exchange(other.m_capacity, 0)) {}
    PageBuffer& operator=(PageBuffer&& other) noexcept {
        if (this != &other) {
            release();
            m_data = std::exchange(other.m_data, nullptr);
            m_size = std::exchange(other.m_size, 0);
            m_capacity = std::exchange(other.m_capacity, 0);
        }
        return *this;
    }
    PageBuffer(const PageBuffer&) = delete;
    PageBuffer& operator=(const PageBuffer&) = delete;
    ~PageBuffer() { release(); }

    // A buffer with room for `capacity` bytes, none used. Errors: Io when memory is short.
    static Result<PageBuffer> with_capacity(std::size_t capacity);
    // Makes room for at least `capacity` bytes, keeping the bytes in use (moved by the
    // kernel's page tables, not copied). Errors: Io when memory is short.
    Status grow(std::size_t capacity);

    char* data() noexcept { return m_data; }
    const char* data() const noexcept { return m_data; }
    std::size_t size() const noexcept { return m_size; }
    std::size_t capacity() const noexcept { return m_capacity; }
    // Marks the first n <= capacity() bytes as in use.
    void set_size(std::size_t n) noexcept { m_size = n; }
    std::string_view view() const noexcept { return {m_data, m_size}; }

  private:
    void release() noexcept;
    char* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

// Reads a whole file (at most `max_bytes`; larger is InvalidInput) into private memory, sized
// once from fstat for a regular file: a file that changes later does not change these bytes.
// "-" reads standard input. Errors: InvalidInput naming the path when it cannot be read, Io
// when memory is short.
Result<PageBuffer> read_file_pages(const std::filesystem::path& path, std::uint64_t max_bytes);

// A std::allocator that takes blocks of kPageMappedMin and more from map_pages, for vectors
// that are reserved once at a size proportional to a large input: the reservation costs no
// memory until it is written, and writing it costs a fault per huge page.
template <class T>
struct PageAllocator {
    using value_type = T;
    PageAllocator() noexcept = default;
    template <class U>
    PageAllocator(const PageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kPageMappedMin) return static_cast<T*>(::operator new(bytes));
        void* p = map_pages(bytes);
        if (p == nullptr) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kPageMappedMin)
            ::operator delete(p);
        else
            unmap_pages(p, bytes);
    }
    template <class U>
    bool operator==(const PageAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace otasign::core
