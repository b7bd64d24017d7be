#pragma once
// A byte array of fixed size whose bytes start out unset, for buffers that are always written
// before they are read. A zeroed std::vector writes every page at allocation; for the 64 KiB
// chunk buffers of age files that cost each small upload some 50 page faults (its archive's and
// its manifest's encryptor, the inspection's reader) for bytes that were never used.

#include <cstdint>
#include <memory>
#include <span>

namespace supportdrop::util {

class ByteBuffer {
public:
    explicit ByteBuffer(std::size_t size)
        : m_bytes(std::make_unique_for_overwrite<std::uint8_t[]>(size)), m_size(size) {}

    std::uint8_t* data() { return m_bytes.get(); }
    const std::uint8_t* data() const { return m_bytes.get(); }
    std::size_t size() const { return m_size; }
    std::uint8_t* begin() { return data(); }
    std::uint8_t* end() { return data() + m_size; }
    const std::uint8_t* begin() const { return data(); }
    const std::uint8_t* end() const { return data() + m_size; }

private:
    std::unique_ptr<std::uint8_t[]> m_bytes;
    std::size_t m_size;
};

} // namespace supportdrop::util
