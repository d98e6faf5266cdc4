#pragma once

#include <QtAlgorithms>
#include <QtGlobal>

#include <array>
#include <atomic>
#include <memory>

// A list that one thread appends to while any thread reads it without a lock: items
// live in chunks that never move, and the published size is an atomic. An item is
// visible to readers once publish() covered it; items are never removed one by one,
// only all at once by release(), when the owner knows no reader is left.
//
// Chunks grow geometrically: chunk k holds firstChunk << k items, so an empty list costs
// a table of MaxChunks pointers and a list of n items at most about 2n slots. A sale
// whose waiting room is barely used (most of them) stays small, and one with millions of
// tickets never moves an item to grow.
template<typename T, int FirstChunkBits = 6, int MaxChunks = 24>
class AppendOnlyList
{
    static_assert(FirstChunkBits + MaxChunks < 62, "the capacity must fit in a qint64");

public:
    static constexpr qint64 firstChunk = qint64(1) << FirstChunkBits;
    static constexpr qint64 capacity = firstChunk * ((qint64(1) << MaxChunks) - 1);

    AppendOnlyList() = default;
    AppendOnlyList(const AppendOnlyList &) = delete;
    AppendOnlyList &operator=(const AppendOnlyList &) = delete;
    ~AppendOnlyList()
    {
        for (auto &chunk : m_chunks)
            delete[] chunk.load(std::memory_order_relaxed);
    }

    qint64 size() const { return m_size.load(std::memory_order_acquire); }

    // Readers: nullptr beyond the published size, and after release().
    const T *at(qint64 index) const
    {
        if (index < 0 || index >= size())
            return nullptr;
        return slot(index);
    }
    T *mutableAt(qint64 index) { return index >= 0 && index < size() ? slot(index) : nullptr; }

    // Frees every item; size() stays, at() answers nullptr. Only when no reader is left
    // (the owner's business), and the writer appends nothing after it.
    void release()
    {
        for (auto &chunk : m_chunks)
            delete[] chunk.exchange(nullptr, std::memory_order_acq_rel);
    }

    // Writer only: the slot after the published ones (allocated on demand), to fill
    // before publish(). Returns nullptr when the list is full.
    T *prepareNext() { return prepare(m_size.load(std::memory_order_relaxed)); }
    T *prepare(qint64 index)
    {
        if (index < 0 || index >= capacity)
            return nullptr;
        const Place place = placeOf(index);
        std::atomic<T *> &chunk = m_chunks[size_t(place.chunk)];
        if (!chunk.load(std::memory_order_relaxed))
            chunk.store(new T[size_t(firstChunk << place.chunk)], std::memory_order_release);
        return slot(index);
    }
    // Writer only: makes the first `newSize` items visible.
    void publish(qint64 newSize) { m_size.store(newSize, std::memory_order_release); }

    // Where item `index` lives: chunk k starts at firstChunk * (2^k - 1).
    struct Place
    {
        int chunk;
        qint64 offset;
    };
    static Place placeOf(qint64 index)
    {
        const quint64 run = (quint64(index) >> FirstChunkBits) + 1; // in [2^k, 2^(k+1))
        const int chunk = 63 - int(qCountLeadingZeroBits(run));
        return {chunk, index - firstChunk * ((qint64(1) << chunk) - 1)};
    }

private:
    T *slot(qint64 index) const
    {
        const Place place = placeOf(index);
        T *chunk = m_chunks[size_t(place.chunk)].load(std::memory_order_acquire);
        return chunk ? chunk + place.offset : nullptr;
    }

    std::array<std::atomic<T *>, MaxChunks> m_chunks{};
    std::atomic<qint64> m_size{0};
};
