/*
 * witness.h: `coso-audit witness', a C2SP tlog-witness for coso's logs
 * (docs/audit.md, "Witnesses"; FORMAT.md, "Witnesses").
 *
 * A witness keeps, per log it follows, the latest checkpoint it cosigned
 * (DIR/<SHA-256 of the origin, hex>.note, written by temp file + fsync +
 * rename before it answers), and cosigns a new one only when it carries
 * the log's valid signature and a consistency proof from the one it
 * holds.  What contradicts what it holds (same size, another root; a
 * proof that does not verify) is refused and both notes are kept in
 * DIR/evidence/.
 */
#ifndef COSO_AUDIT_WITNESS_H
#define COSO_AUDIT_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#define WITNESS_LOGS_MAX 16u

struct witness_log {
	char origin[COSO_ORIGIN_MAX + 1];
	char key_name[COSO_KEYNAME_MAX + 1];
	uint8_t pk[32];
	int have;         /* a checkpoint is held */
	uint64_t size;    /* its size, 0 if none */
	uint8_t root[32]; /* its root */
	char *note;       /* the held note with the cosignature, malloc'd */
	size_t note_len;
};

struct witness {
	struct coso_key *key;
	char name[COSO_KEYNAME_MAX + 1];
	char dir[4096];
	size_t nlogs;
	struct witness_log log[WITNESS_LOGS_MAX];
};

/* An answer: status, body (malloc'd, caller frees), its Content-Type. */
struct witness_answer {
	uint16_t status;
	const char *type;
	char *body;
	size_t len;
};

/*
 * Loads each log's held note from w->dir (verified with the log's key;
 * one that does not verify stops the start: err says which).  0 or -1.
 */
int witness_load(struct witness *w, char err[static 512]);

/*
 * add-checkpoint: decides on the body (len bytes) and, when it cosigns,
 * makes the new note durable before returning 200.  Not thread-safe: one
 * caller at a time, which makes the check of old and the write atomic.
 * now is the time of the cosignature (POSIX seconds).
 */
void witness_add(struct witness *w, const char *body, size_t len, uint64_t now,
    struct witness_answer *a);

/* GET <origin hash>/checkpoint: the held note, or 404. */
void witness_get(
    struct witness *w, const char *hash, size_t len, struct witness_answer *a);

/* Frees the held notes (not the key). */
void witness_fini(struct witness *w);

/* `coso-audit witness init|vkey|run ...': an exit code. */
int witness_main(int argc, char **argv);

#endif /* COSO_AUDIT_WITNESS_H */
