/*
 * test_vectors.c: the golden vectors of FORMAT.md, byte for byte.
 *
 * tests/vectors/changesets.txt holds each vector's inputs and expected
 * bytes; this test rebuilds the body with the builder, signs it, and
 * compares every byte, then checks decode and re-encode are identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

#include "../vectors/examples.h"

#define VECTORS        "tests/vectors/changesets.txt"
#define LINE_MAX_BYTES 4096

struct vector {
	char name[64];
	uint8_t seed[32], prev[32], id[32];
	uint64_t seq, hlc;
	uint8_t body[1024], cs[2048];
	size_t body_len, cs_len;
};

static void
unhex(uint8_t *out, size_t cap, size_t *len, const char *hex)
{
	size_t n = 0;

	assert_int_equal(
	    sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL), 0);
	*len = n;
}

/* Reads the next vector; 0 at the end of the file. */
static int
read_vector(FILE *f, struct vector *v)
{
	char line[LINE_MAX_BYTES], *key, *val;
	size_t n;
	int seen = 0;

	memset(v, 0, sizeof(*v));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || line[0] == 0
		    || !(val = strchr(line, ' '))) {
			if (seen == 8) {
				return 1;
			}
			assert_int_equal(seen, 0); /* no partial vector */
			continue;
		}
		*val++ = 0;
		key    = line;
		if (strcmp(key, "name") == 0) {
			snprintf(v->name, sizeof(v->name), "%s", val);
		} else if (strcmp(key, "seed") == 0) {
			unhex(v->seed, 32, &n, val);
		} else if (strcmp(key, "seq") == 0) {
			v->seq = strtoull(val, NULL, 10);
		} else if (strcmp(key, "prev") == 0) {
			unhex(v->prev, 32, &n, val);
		} else if (strcmp(key, "hlc") == 0) {
			v->hlc = strtoull(val, NULL, 10);
		} else if (strcmp(key, "body") == 0) {
			unhex(v->body, sizeof(v->body), &v->body_len, val);
		} else if (strcmp(key, "changeset") == 0) {
			unhex(v->cs, sizeof(v->cs), &v->cs_len, val);
		} else if (strcmp(key, "id") == 0) {
			unhex(v->id, 32, &n, val);
		}
		seen++;
	}
	return seen == 8;
}

/* Signing the vector's inputs gives exactly its bytes. */
static void
check_signing(const struct vector *v, const struct example *ex)
{
	struct coso_key *key = NULL;
	uint8_t *body = NULL, *cs = NULL, id[32];
	size_t blen = 0, clen = 0;

	assert_string_equal(v->name, ex->name);
	assert_memory_equal(v->seed, ex->seed, 32);
	assert_int_equal(v->seq, ex->seq);
	assert_int_equal(v->hlc, ex->hlc);
	assert_int_equal(example_body(ex, &body, &blen), COSO_OK);
	assert_int_equal(blen, v->body_len);
	assert_memory_equal(body, v->body, blen);
	assert_int_equal(coso_key_from_seed(&key, v->seed), COSO_OK);
	assert_int_equal(coso_changeset_sign(&cs, &clen, key, v->seq, v->prev,
	                     v->hlc, body, blen),
	    COSO_OK);
	assert_int_equal(clen, v->cs_len);
	assert_memory_equal(cs, v->cs, clen);
	coso_changeset_id(id, cs, clen);
	assert_memory_equal(id, v->id, 32);
	free(body);
	free(cs);
	coso_key_free(key);
}

/* The stored bytes verify and decode, and re-encode to the same body. */
static void
check_decoding(const struct vector *v)
{
	struct coso_key *key = NULL;
	struct coso_changeset cs;
	struct coso_ops *ops = NULL;
	struct coso_body *b  = NULL;
	uint8_t pk[32], *again = NULL;
	size_t i, j, len = 0;

	assert_int_equal(coso_key_from_seed(&key, v->seed), COSO_OK);
	coso_key_public(key, pk);
	assert_int_equal(coso_changeset_verify(&cs, v->cs, v->cs_len, pk), 0);
	assert_int_equal(cs.body_len, v->body_len);
	assert_int_equal(coso_ops_decode(&ops, cs.body, cs.body_len), 0);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	for (i = 0; i < ops->nops; i++) {
		const struct coso_op *op = &ops->ops[i];
		assert_int_equal(
		    coso_body_op(b, op->table, op->row, op->kind), 0);
		for (j = 0; j < op->nfields; j++) {
			const struct coso_field *f = &op->fields[j];
			switch (f->v.type) {
			case COSO_VNULL:
				assert_int_equal(coso_body_null(b, f->id), 0);
				break;
			case COSO_VINT:
				assert_int_equal(
				    coso_body_int(b, f->id, f->v.i), 0);
				break;
			case COSO_VTEXT:
				assert_int_equal(
				    coso_body_text(b, f->id,
				        (const char *) f->v.p, f->v.len),
				    0);
				break;
			case COSO_VBYTES:
				assert_int_equal(coso_body_bytes(b, f->id,
				                     f->v.p, f->v.len),
				    0);
				break;
			}
		}
	}
	assert_int_equal(coso_body_encode(b, &again, &len), COSO_OK);
	assert_int_equal(len, v->body_len);
	assert_memory_equal(again, v->body, len);
	free(again);
	coso_body_free(b);
	coso_ops_free(ops);
	coso_key_free(key);
}

static void
test_golden_vectors(void **state)
{
	const char *path = getenv("COSO_VECTORS");
	struct vector *v = malloc(sizeof(*v));
	FILE *f;
	size_t n = 0;

	(void) state;
	assert_non_null(v);
	f = fopen(path != NULL ? path : VECTORS, "r");
	assert_non_null(f);
	while (read_vector(f, v)) {
		assert_true(n < example_count);
		check_signing(v, &examples[n]);
		check_decoding(v);
		n++;
	}
	fclose(f);
	free(v);
	assert_int_equal(n, example_count);
	assert_true(n >= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_vectors),
	};
	return cmocka_run_group_tests_name("vectors", tests, NULL, NULL);
}
