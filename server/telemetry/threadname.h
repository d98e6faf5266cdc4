#pragma once

#include <QByteArray>

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

// Names the calling thread, so `top -H`, gdb and /proc/<pid>/task/*/comm tell the
// server's threads apart ("fs-journal", "fs-saga-3"...). Linux keeps 15 characters.
// QThreads are named with QThread::setObjectName before they start instead.
inline void nameCurrentThread(const QByteArray &name)
{
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), name.left(15).constData());
#else
    Q_UNUSED(name);
#endif
}
