// A compact growable byte buffer with a read offset, for partial inbound
// frames and unsent output. 16 bytes when empty and no heap memory: most
// connections never need either, so they must cost nothing while idle.
// Sizes are 32-bit to keep it at 16 bytes; MaxCapacity (2 GiB) bounds
// every size, and the configuration keeps real buffers far below it
// (--max-payload <= 256 MiB, --max-send-buffer <= 1 GiB).
#pragma once

#include <QtGlobal>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace Vigil {

class ByteBuffer final
{
public:
    static constexpr size_t MaxCapacity = size_t(1) << 31;

    ByteBuffer() = default;
    ~ByteBuffer() { std::free(m_data); }
    ByteBuffer(const ByteBuffer &) = delete;
    ByteBuffer &operator=(const ByteBuffer &) = delete;
    ByteBuffer(ByteBuffer &&other) noexcept { swap(other); }
    ByteBuffer &operator=(ByteBuffer &&other) noexcept
    {
        ByteBuffer tmp(std::move(other));
        swap(tmp);
        return *this;
    }

    const char *data() const { return m_data + m_begin; }
    char *data() { return m_data + m_begin; }
    size_t size() const { return m_end - m_begin; }
    bool isEmpty() const { return m_end == m_begin; }
    size_t capacity() const { return m_capacity; }

    void append(const char *bytes, size_t count)
    {
        if (count == 0)
            return;
        std::memcpy(reserveTail(count), bytes, count);
        m_end += quint32(count);
    }

    // Room for at least count more bytes at the end; commit() what was written.
    char *reserveTail(size_t count)
    {
        if (m_capacity - m_end < count)
            grow(count);
        return m_data + m_end;
    }
    void commit(size_t count) { m_end += quint32(count); }

    // Room for exactly total bytes (from the read offset), allocated at
    // once: a frame whose header declares its length costs that length,
    // not the next power of two.
    void reserve(size_t total)
    {
        if (total > m_capacity - m_begin)
            reallocate(total);
    }

    // The capacity to grow to for needed bytes: doubling (at least 256),
    // never beyond limit unless needed is larger; 0 past MaxCapacity.
    static size_t grownCapacity(size_t current, size_t needed, size_t limit = MaxCapacity)
    {
        if (needed > MaxCapacity)
            return 0;
        size_t capacity = std::max<size_t>(current, 256);
        while (capacity < needed)
            capacity *= 2;
        return std::max(needed, std::min({capacity, limit, MaxCapacity}));
    }

    // Drops count bytes from the front; an emptied buffer rewinds to offset 0.
    void consume(size_t count)
    {
        m_begin += quint32(count);
        if (m_begin >= m_end)
            clear();
    }

    void clear() { m_begin = m_end = 0; }

    // Gives the memory back: used when a buffer empties after a burst so an
    // idle connection does not keep a large allocation.
    void release()
    {
        std::free(m_data);
        m_data = nullptr;
        m_begin = m_end = m_capacity = 0;
    }

    // After a large message, an emptied buffer gives its memory back.
    void releaseIfLarge(size_t threshold = 16384)
    {
        if (isEmpty() && m_capacity > threshold)
            release();
    }

    void swap(ByteBuffer &other) noexcept
    {
        std::swap(m_data, other.m_data);
        std::swap(m_begin, other.m_begin);
        std::swap(m_end, other.m_end);
        std::swap(m_capacity, other.m_capacity);
    }

private:
    void grow(size_t count)
    {
        const size_t used = size();
        if (m_begin > 0 && m_capacity - used >= count) {
            std::memmove(m_data, m_data + m_begin, used);
            m_begin = 0;
            m_end = quint32(used);
            return;
        }
        reallocate(grownCapacity(m_capacity, used + count));
    }

    void reallocate(size_t capacity)
    {
        const size_t used = size();
        if (capacity == 0 || capacity > MaxCapacity || capacity < used)
            throw std::bad_alloc();
        char *fresh = static_cast<char *>(std::malloc(capacity));
        if (!fresh)
            throw std::bad_alloc();
        if (used)
            std::memcpy(fresh, m_data + m_begin, used);
        std::free(m_data);
        m_data = fresh;
        m_capacity = quint32(capacity);
        m_begin = 0;
        m_end = quint32(used);
    }

    char *m_data = nullptr;
    quint32 m_begin = 0;
    quint32 m_end = 0;
    quint32 m_capacity = 0;
};

} // namespace Vigil
