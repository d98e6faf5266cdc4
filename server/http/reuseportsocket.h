#pragma once

#include <QHostAddress>
#include <QString>

// Opens a listening TCP socket with SO_REUSEPORT, so that several threads can each
// accept on their own socket bound to the same port and the kernel spreads the
// connections between them. Returns the descriptor, or -1 with `error` set.
qintptr openReusePortListener(const QHostAddress &address, quint16 port, quint16 *boundPort, QString *error);

// Whether another process already listens on `port` (our own threads share a port through
// SO_REUSEPORT, and so would a second FlashSale: the kernel would then split shoppers
// between two servers). Probes with a plain bind, which a listener refuses.
bool portTakenByAnotherProcess(const QHostAddress &address, quint16 port);
