#pragma once

#include <QByteArray>
#include <QString>

// Writes one flat JSON object straight into bytes, for answers and events built many
// thousand times a second (a QJsonObject per answer costs allocations, a CBOR tree and
// a serialization). The caller gives the keys in the order QJsonDocument would write
// them (sorted), so the bytes are the same as QJsonDocument(...).toJson(Compact) of the
// equivalent object; unit_tst_jsonwriter compares them.
class JsonObjectWriter
{
public:
    explicit JsonObjectWriter(qsizetype reserve = 128);

    JsonObjectWriter &number(const char *key, qint64 value);
    JsonObjectWriter &string(const char *key, const QString &value);
    JsonObjectWriter &latin1(const char *key, const char *value); // plain ASCII, nothing to escape
    JsonObjectWriter &isoTime(const char *key, qint64 ms);         // "2026-12-01T04:00:00.000Z"
    JsonObjectWriter &boolean(const char *key, bool value);
    JsonObjectWriter &null(const char *key);
    // Appends `json` as the value as it is (already JSON: a nested object, a token).
    JsonObjectWriter &raw(const char *key, const QByteArray &json);

    QByteArray finish(); // the object; the writer is empty afterwards

private:
    void key(const char *key);
    QByteArray m_out;
};

// JSON's escaping of one string value (with its quotes) appended to `out`.
void appendJsonString(QByteArray &out, const QString &value);
void appendJsonNumber(QByteArray &out, qint64 value);
