#include "faultyvfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace {

std::atomic_bool writesFail{false};
std::atomic_bool syncsFail{false};
std::atomic<long long> refused{0};
sqlite3_vfs *realVfs = nullptr;
sqlite3_vfs faultyVfs;
sqlite3_io_methods faultyMethods;

// Our file: the base the VFS API needs, then the real VFS's file right after it.
struct FaultyFile
{
    sqlite3_file base;
    sqlite3_file *real() { return reinterpret_cast<sqlite3_file *>(this + 1); }
};

FaultyFile *of(sqlite3_file *f)
{
    return reinterpret_cast<FaultyFile *>(f);
}

int xClose(sqlite3_file *f)
{
    return of(f)->real()->pMethods->xClose(of(f)->real());
}
int xRead(sqlite3_file *f, void *buf, int n, sqlite3_int64 offset)
{
    return of(f)->real()->pMethods->xRead(of(f)->real(), buf, n, offset);
}
int xWrite(sqlite3_file *f, const void *buf, int n, sqlite3_int64 offset)
{
    if (writesFail.load()) {
        refused.fetch_add(1);
        return SQLITE_FULL;
    }
    return of(f)->real()->pMethods->xWrite(of(f)->real(), buf, n, offset);
}
int xTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (writesFail.load()) {
        refused.fetch_add(1);
        return SQLITE_FULL;
    }
    return of(f)->real()->pMethods->xTruncate(of(f)->real(), size);
}
int xSync(sqlite3_file *f, int flags)
{
    if (syncsFail.load()) {
        refused.fetch_add(1);
        return SQLITE_IOERR_FSYNC;
    }
    return of(f)->real()->pMethods->xSync(of(f)->real(), flags);
}
int xFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    return of(f)->real()->pMethods->xFileSize(of(f)->real(), size);
}
int xLock(sqlite3_file *f, int level)
{
    return of(f)->real()->pMethods->xLock(of(f)->real(), level);
}
int xUnlock(sqlite3_file *f, int level)
{
    return of(f)->real()->pMethods->xUnlock(of(f)->real(), level);
}
int xCheckReservedLock(sqlite3_file *f, int *out)
{
    return of(f)->real()->pMethods->xCheckReservedLock(of(f)->real(), out);
}
int xFileControl(sqlite3_file *f, int op, void *arg)
{
    return of(f)->real()->pMethods->xFileControl(of(f)->real(), op, arg);
}
int xSectorSize(sqlite3_file *f)
{
    return of(f)->real()->pMethods->xSectorSize(of(f)->real());
}
int xDeviceCharacteristics(sqlite3_file *f)
{
    return of(f)->real()->pMethods->xDeviceCharacteristics(of(f)->real());
}
int xShmMap(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
    return of(f)->real()->pMethods->xShmMap(of(f)->real(), page, size, extend, out);
}
int xShmLock(sqlite3_file *f, int offset, int n, int flags)
{
    return of(f)->real()->pMethods->xShmLock(of(f)->real(), offset, n, flags);
}
void xShmBarrier(sqlite3_file *f)
{
    of(f)->real()->pMethods->xShmBarrier(of(f)->real());
}
int xShmUnmap(sqlite3_file *f, int deleteFlag)
{
    return of(f)->real()->pMethods->xShmUnmap(of(f)->real(), deleteFlag);
}
int xFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out)
{
    return of(f)->real()->pMethods->xFetch(of(f)->real(), offset, amount, out);
}
int xUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page)
{
    return of(f)->real()->pMethods->xUnfetch(of(f)->real(), offset, page);
}

int xOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    FaultyFile *file = of(f);
    std::memset(file->real(), 0, size_t(realVfs->szOsFile));
    const int rc = realVfs->xOpen(realVfs, name, file->real(), flags, outFlags);
    // The real file's methods decide which of ours exist (a file without shared memory
    // must not seem to have it): one table per process, as every file of the default
    // VFS has the same methods.
    if (file->real()->pMethods) {
        const sqlite3_io_methods *m = file->real()->pMethods;
        faultyMethods.iVersion = m->iVersion;
        file->base.pMethods = &faultyMethods;
    } else {
        file->base.pMethods = nullptr;
    }
    return rc;
}

} // namespace

namespace FaultyVfs {

void install()
{
    if (realVfs)
        return;
    realVfs = sqlite3_vfs_find(nullptr);
    faultyMethods = sqlite3_io_methods{3, xClose, xRead, xWrite, xTruncate, xSync, xFileSize, xLock, xUnlock, xCheckReservedLock,
                                       xFileControl, xSectorSize, xDeviceCharacteristics, xShmMap, xShmLock, xShmBarrier, xShmUnmap,
                                       xFetch, xUnfetch};
    faultyVfs = *realVfs; // every other call (delete, access, randomness, time) goes to the real VFS as it is
    faultyVfs.zName = "flashsale-test-faulty";
    faultyVfs.szOsFile = int(sizeof(FaultyFile)) + realVfs->szOsFile;
    faultyVfs.xOpen = xOpen;
    faultyVfs.pNext = nullptr;
    sqlite3_vfs_register(&faultyVfs, 1);
}

void failWrites(bool on)
{
    writesFail.store(on);
}

void failSyncs(bool on)
{
    syncsFail.store(on);
}

long long failures()
{
    return refused.load();
}

} // namespace FaultyVfs
