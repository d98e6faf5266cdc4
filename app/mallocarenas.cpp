#include "mallocarenas.h"

#include <QThread>
#include <QtGlobal>

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void limitMallocArenasToCores()
{
#if defined(__GLIBC__)
    if (qEnvironmentVariableIsSet("MALLOC_ARENA_MAX"))
        return; // the operator chose; glibc read it at start
    mallopt(M_ARENA_MAX, std::max(2, QThread::idealThreadCount()));
#endif
}
