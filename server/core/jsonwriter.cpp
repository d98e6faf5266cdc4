#include "jsonwriter.h"

#include "timeutil.h"

#include <charconv>

void appendJsonNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

void appendJsonString(QByteArray &out, const QString &value)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = value.toUtf8();
    out.append('"');
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (u < 0x20) {
                const char escaped[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0xf]};
                out.append(escaped, sizeof escaped);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

JsonObjectWriter::JsonObjectWriter(qsizetype reserve)
{
    m_out.reserve(reserve);
    m_out.append('{');
}

void JsonObjectWriter::key(const char *key)
{
    if (m_out.size() > 1)
        m_out.append(',');
    m_out.append('"').append(key).append("\":");
}

JsonObjectWriter &JsonObjectWriter::number(const char *k, qint64 value)
{
    key(k);
    appendJsonNumber(m_out, value);
    return *this;
}

JsonObjectWriter &JsonObjectWriter::string(const char *k, const QString &value)
{
    key(k);
    appendJsonString(m_out, value);
    return *this;
}

JsonObjectWriter &JsonObjectWriter::latin1(const char *k, const char *value)
{
    key(k);
    m_out.append('"').append(value).append('"');
    return *this;
}

JsonObjectWriter &JsonObjectWriter::isoTime(const char *k, qint64 ms)
{
    key(k);
    m_out.append('"');
    appendIsoUtc(m_out, ms);
    m_out.append('"');
    return *this;
}

JsonObjectWriter &JsonObjectWriter::boolean(const char *k, bool value)
{
    key(k);
    m_out.append(value ? "true" : "false");
    return *this;
}

JsonObjectWriter &JsonObjectWriter::null(const char *k)
{
    key(k);
    m_out.append("null");
    return *this;
}

JsonObjectWriter &JsonObjectWriter::raw(const char *k, const QByteArray &json)
{
    key(k);
    m_out.append(json);
    return *this;
}

QByteArray JsonObjectWriter::finish()
{
    m_out.append('}');
    QByteArray out = std::move(m_out);
    m_out = QByteArray();
    return out;
}
