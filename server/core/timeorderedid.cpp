#include "timeorderedid.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

#include <array>

QString timeOrderedId()
{
    std::array<quint8, 16> b{};
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        b[size_t(i)] = quint8(ms >> (8 * (5 - i)));
    quint32 random[3];
    QRandomGenerator::system()->fillRange(random);
    for (int i = 0; i < 10; ++i)
        b[size_t(6 + i)] = quint8(random[i / 4] >> (8 * (i % 4)));
    b[6] = quint8(0x70 | (b[6] & 0x0f)); // version 7
    b[8] = quint8(0x80 | (b[8] & 0x3f)); // RFC 9562 variant
    return QUuid::fromRfc4122(QByteArrayView(reinterpret_cast<const char *>(b.data()), 16)).toString(QUuid::WithoutBraces);
}
