#pragma once

#include "apierror.h"

#include <optional>
#include <utility>

namespace Api {

// The outcome of one request: a value, or the error that took its place.
template<typename T>
class Result
{
public:
    static Result success(T value)
    {
        Result r;
        r.m_value = std::move(value);
        return r;
    }
    static Result failure(Error error)
    {
        Result r;
        r.m_error = std::move(error);
        return r;
    }

    bool ok() const { return m_value.has_value(); }
    const T &value() const { return *m_value; }
    const Error &error() const { return m_error; }

private:
    Result() = default;
    std::optional<T> m_value;
    Error m_error;
};

} // namespace Api
