/*
 * vfs.c: the store's SQLite VFS, "coso": the platform's default VFS with
 * two syncs left out that the store's settings make redundant.
 *
 * Every connection to a store runs in WAL mode with synchronous = FULL
 * (store.c, configure): a COMMIT writes its frames to the WAL and
 * fdatasyncs it before the commit is published in the WAL index, so any
 * frame another connection can see is already on the disk.  Then:
 *
 * - A sync of the WAL through a handle that has written nothing since
 *   its last sync (the sync a checkpoint starts with) has nothing left
 *   to make durable: it is skipped.  A handle that wrote (a header, a
 *   transaction's frames) is always synced.
 * - SQLite opens the WAL with "create" every time, and the first sync
 *   of a WAL opened so also fsyncs its directory, so that the file's
 *   name is on the disk before any commit in it is.  Once that sync has
 *   been done for a WAL file, this VFS marks the file (an extended
 *   attribute holding its device and inode numbers); a WAL that carries
 *   the mark of its own inode is opened without "create", and its
 *   directory is not synced again.  A WAL without the mark (new, copied,
 *   on a file system without extended attributes) is opened as SQLite
 *   asks.
 *
 * The main database file and every other file are the default VFS's,
 * unchanged.  docs/decisions.md, "Fewer syncs per visit".
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "internal.h"

/* The mark of a WAL whose directory entry is known synced. */
#define MARK "user.coso.walsynced"

/* A file of this VFS: the default VFS's file follows it in memory. */
struct vfile {
	sqlite3_file base;
	sqlite3_file *real;
	const char *name; /* SQLite's, valid until close */
	int wal;          /* a WAL file */
	int dirty;        /* written or truncated since the last sync */
	int unmarked;     /* a WAL opened with "create": mark it once synced */
};

#define REAL(f) (((struct vfile *) (f))->real)

static int
v_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
v_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
v_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	((struct vfile *) f)->dirty = 1;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
v_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	((struct vfile *) f)->dirty = 1;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

/* The mark's value for a file: its device and inode numbers. */
static int
mark_value(const char *path, char *buf, size_t n)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		return -1;
	}
	snprintf(buf, n, "%llx:%llx", (unsigned long long) st.st_dev,
	    (unsigned long long) st.st_ino);
	return 0;
}

/* After a sync that synced the directory too: best effort, a file left
 * unmarked is only synced with its directory again next time. */
static void
mark(const char *path)
{
	char val[48];

	if (mark_value(path, val, sizeof(val)) == 0) {
		(void) setxattr(path, MARK, val, strlen(val), 0);
	}
}

/* Whether path carries the mark of its own inode. */
static int
marked(const char *path)
{
	char val[48], got[48];
	ssize_t n;

	if (mark_value(path, val, sizeof(val)) != 0) {
		return 0;
	}
	n = getxattr(path, MARK, got, sizeof(got));
	return n == (ssize_t) strlen(val) && memcmp(got, val, (size_t) n) == 0;
}

/* The WAL is synced only when this handle wrote since its last sync. */
static int
v_sync(sqlite3_file *f, int flags)
{
	struct vfile *v = (struct vfile *) f;
	int rc;

	if (v->wal && !v->dirty) {
		return SQLITE_OK;
	}
	if ((rc = v->real->pMethods->xSync(v->real, flags)) == SQLITE_OK) {
		v->dirty = 0;
		if (v->unmarked) {
			mark(v->name);
			v->unmarked = 0;
		}
	}
	return rc;
}

static int
v_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
v_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
v_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
v_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
v_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
v_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
v_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
v_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int
v_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
v_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
v_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
v_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int
v_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods methods = {
    .iVersion               = 3,
    .xClose                 = v_close,
    .xRead                  = v_read,
    .xWrite                 = v_write,
    .xTruncate              = v_truncate,
    .xSync                  = v_sync,
    .xFileSize              = v_size,
    .xLock                  = v_lock,
    .xUnlock                = v_unlock,
    .xCheckReservedLock     = v_reserved,
    .xFileControl           = v_fcntl,
    .xSectorSize            = v_sector,
    .xDeviceCharacteristics = v_devchar,
    .xShmMap                = v_shm_map,
    .xShmLock               = v_shm_lock,
    .xShmBarrier            = v_shm_barrier,
    .xShmUnmap              = v_shm_unmap,
    .xFetch                 = v_fetch,
    .xUnfetch               = v_unfetch,
};

static int
v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
    int *out_flags)
{
	sqlite3_vfs *base = vfs->pAppData;
	struct vfile *v   = (struct vfile *) f;
	int rc            = SQLITE_CANTOPEN;

	v->base.pMethods = NULL;
	v->real          = (sqlite3_file *) (v + 1);
	v->name          = name;
	v->wal           = (flags & SQLITE_OPEN_WAL) != 0;
	v->dirty         = 0;
	v->unmarked      = 0;
	if (v->wal && (flags & SQLITE_OPEN_CREATE) && marked(name)) {
		/* Removed meanwhile: opened as asked, below. */
		rc = base->xOpen(base, name, v->real,
		    flags & ~SQLITE_OPEN_CREATE, out_flags);
	}
	if (rc != SQLITE_OK) {
		v->real->pMethods = NULL;
		v->unmarked       = v->wal && (flags & SQLITE_OPEN_CREATE);
		rc = base->xOpen(base, name, v->real, flags, out_flags);
	}
	if (rc != SQLITE_OK) {
		return rc;
	}
	/* Every method above is forwarded; a default VFS of an older
	 * interface than 3 (no shared memory, no mmap) is not one this
	 * VFS can stand in for. */
	if (v->real->pMethods == NULL || v->real->pMethods->iVersion < 3) {
		if (v->real->pMethods != NULL) {
			v->real->pMethods->xClose(v->real);
		}
		return SQLITE_CANTOPEN;
	}
	v->base.pMethods = &methods;
	return SQLITE_OK;
}

/* The rest of the interface is the default VFS's, unchanged. */
#define BASE(vfs) ((sqlite3_vfs *) (vfs)->pAppData)

static int
v_delete(sqlite3_vfs *vfs, const char *name, int dirsync)
{
	return BASE(vfs)->xDelete(BASE(vfs), name, dirsync);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return BASE(vfs)->xAccess(BASE(vfs), name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return BASE(vfs)->xFullPathname(BASE(vfs), name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	return BASE(vfs)->xDlOpen(BASE(vfs), name);
}

static void
v_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	BASE(vfs)->xDlError(BASE(vfs), n, msg);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return BASE(vfs)->xDlSym(BASE(vfs), h, sym);
}

static void
v_dlclose(sqlite3_vfs *vfs, void *h)
{
	BASE(vfs)->xDlClose(BASE(vfs), h);
}

static int
v_random(sqlite3_vfs *vfs, int n, char *out)
{
	return BASE(vfs)->xRandomness(BASE(vfs), n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	return BASE(vfs)->xSleep(BASE(vfs), us);
}

static int
v_time(sqlite3_vfs *vfs, double *out)
{
	return BASE(vfs)->xCurrentTime(BASE(vfs), out);
}

static int
v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	return BASE(vfs)->xGetLastError(BASE(vfs), n, out);
}

static int
v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return BASE(vfs)->xCurrentTimeInt64(BASE(vfs), out);
}

/* Registered once per process (pthread_once); never changed after. */
static sqlite3_vfs vfs = {
    .iVersion          = 2,
    .mxPathname        = 0,
    .zName             = COSOI_VFS,
    .xOpen             = v_open,
    .xDelete           = v_delete,
    .xAccess           = v_access,
    .xFullPathname     = v_fullpath,
    .xDlOpen           = v_dlopen,
    .xDlError          = v_dlerror,
    .xDlSym            = v_dlsym,
    .xDlClose          = v_dlclose,
    .xRandomness       = v_random,
    .xSleep            = v_sleep,
    .xCurrentTime      = v_time,
    .xGetLastError     = v_lasterr,
    .xCurrentTimeInt64 = v_time64,
};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered      = SQLITE_ERROR;

static void
vfs_register(void)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);

	if (base == NULL || base->iVersion < 2) {
		return;
	}
	vfs.szOsFile   = (int) sizeof(struct vfile) + base->szOsFile;
	vfs.mxPathname = base->mxPathname;
	vfs.pAppData   = base;
	registered     = sqlite3_vfs_register(&vfs, 0);
}

int
cosoi_vfs_init(void)
{
	pthread_once(&once, vfs_register);
	return registered;
}
