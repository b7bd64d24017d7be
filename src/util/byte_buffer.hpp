#pragma once
// A byte array of fixed size whose bytes start out unset, for buffers that are always written
// before they are read. A zeroed std::vector writes every page at allocation; for the 64 KiB
// chunk buffers of age files that cost each small upload some 50 page faults (its archive's and
// its manifest's encryptor, the inspection's reader) for bytes that were never used.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <sys/mman.h>

namespace supportdrop::util {

class ByteBuffer {
public:
    // `alignment` (a power of two) of the first byte: a page for buffers written to disk with
    // direct I/O.
    explicit ByteBuffer(std::size_t size, std::size_t alignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        : m_bytes(static_cast<std::uint8_t*>(::operator new[](size, std::align_val_t{alignment})), Free{alignment}),
          m_size(size) {}

    // Maps its whole pages now, in one call, rather than one page fault each as they are first
    // written (MADV_POPULATE_WRITE): for a buffer that will be filled whole, many times, where
    // page faults are dear (~16 us each on one VM). Best effort: a kernel before 5.14 cannot.
    void populate() {
        constexpr std::uintptr_t k_page = 4096;
        const auto first = reinterpret_cast<std::uintptr_t>(data());
        const std::size_t head = (k_page - first % k_page) % k_page; // before the first whole page
        const std::size_t tail = (first + m_size) % k_page;          // after the last
        if (m_size > head + tail) {
            (void)::madvise(data() + head, m_size - head - tail, MADV_POPULATE_WRITE);
        }
    }

    std::uint8_t* data() { return m_bytes.get(); }
    const std::uint8_t* data() const { return m_bytes.get(); }
    std::size_t size() const { return m_size; }
    std::uint8_t* begin() { return data(); }
    std::uint8_t* end() { return data() + m_size; }
    const std::uint8_t* begin() const { return data(); }
    const std::uint8_t* end() const { return data() + m_size; }

private:
    struct Free {
        std::size_t alignment;
        void operator()(std::uint8_t* bytes) const { ::operator delete[](bytes, std::align_val_t{alignment}); }
    };

    std::unique_ptr<std::uint8_t[], Free> m_bytes;
    std::size_t m_size;
};

} // namespace supportdrop::util
