#pragma once

#include <QtGlobal>

#include <array>
#include <atomic>
#include <memory>

// A list that one thread appends to while any thread reads it without a lock: items
// live in fixed chunks that never move, and the published size is an atomic. An item
// is visible to readers once publish() covered it; items are never removed.
template<typename T, int ChunkBits = 12, int MaxChunks = 4096>
class AppendOnlyList
{
public:
    static constexpr qint64 chunkSize = qint64(1) << ChunkBits;
    static constexpr qint64 capacity = chunkSize * MaxChunks;

    AppendOnlyList() = default;
    AppendOnlyList(const AppendOnlyList &) = delete;
    AppendOnlyList &operator=(const AppendOnlyList &) = delete;
    ~AppendOnlyList()
    {
        for (auto &chunk : m_chunks)
            delete[] chunk.load(std::memory_order_relaxed);
    }

    qint64 size() const { return m_size.load(std::memory_order_acquire); }

    // Readers: nullptr beyond the published size.
    const T *at(qint64 index) const
    {
        if (index < 0 || index >= size())
            return nullptr;
        return &slot(index);
    }
    T *mutableAt(qint64 index) { return index >= 0 && index < size() ? &slot(index) : nullptr; }

    // Writer only: the slot after the published ones (allocated on demand), to fill
    // before publish(). Returns nullptr when the list is full.
    T *prepareNext() { return prepare(m_size.load(std::memory_order_relaxed)); }
    T *prepare(qint64 index)
    {
        if (index < 0 || index >= capacity)
            return nullptr;
        std::atomic<T *> &chunk = m_chunks[size_t(index >> ChunkBits)];
        if (!chunk.load(std::memory_order_relaxed))
            chunk.store(new T[size_t(chunkSize)], std::memory_order_release);
        return &slot(index);
    }
    // Writer only: makes the first `newSize` items visible.
    void publish(qint64 newSize) { m_size.store(newSize, std::memory_order_release); }

private:
    T &slot(qint64 index) const
    {
        return m_chunks[size_t(index >> ChunkBits)].load(std::memory_order_acquire)[index & (chunkSize - 1)];
    }

    std::array<std::atomic<T *>, MaxChunks> m_chunks{};
    std::atomic<qint64> m_size{0};
};
