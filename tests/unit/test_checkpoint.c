/*
 * test_checkpoint.c: signed checkpoints (proto/checkpoint.c, FORMAT.md
 * "Checkpoints"; c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
 *
 * The golden note, key id and verifier key were computed independently
 * with Python (hashlib, base64 and the cryptography package's Ed25519)
 * from the RFC 8032 §7.1 test 1 seed; the test also recomputes the key id
 * from the spec's formula.  Crafted notes are signed here with
 * coso_key_sign over the text, so the parser meets bodies the signer
 * would never produce.
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

#define NAME "coso.example/central"

static const char rfc_seed_hex[]
    = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_pk_hex[]
    = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
/* The root of the eight Certificate Transparency test leaves. */
static const char ct_root_hex[]
    = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
static const char golden_kid_hex[] = "ce9f41e3";
static const char golden_vkey[]
    = NAME "+ce9f41e3+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
static const char golden_text[]
    = NAME "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
static const char golden_note[]
    = NAME "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
           "\n"
           "\xE2\x80\x94 " NAME " zp9B4x6nHxNlFgyXIH8JCNKFQHNWArKoTBKU/3IZ+H8/"
           "sx8BqgmGpPbEO4H5xapINCLwGad2iTmRpsqU6WmuFOllnwU=\n";

struct fix {
	struct coso_key *key;
	uint8_t pk[32];
	uint8_t root[32];
};

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(
	    sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	uint8_t seed[32];

	assert_non_null(f);
	unhex(seed, 32, rfc_seed_hex);
	assert_int_equal(coso_key_from_seed(&f->key, seed), COSO_OK);
	coso_key_public(f->key, f->pk);
	unhex(f->root, 32, ct_root_hex);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	coso_key_free(f->key);
	free(f);
	return 0;
}

/* SHA-256(name || 0x0A || 0x01 || pk)[:4], spelled out. */
static void
spec_key_id(uint8_t out[4], const char *name, const uint8_t pk[32])
{
	uint8_t buf[COSO_KEYNAME_MAX + 34], h[32];
	size_t n = strlen(name);

	memcpy(buf, name, n);
	buf[n]     = 0x0A;
	buf[n + 1] = 0x01;
	memcpy(buf + n + 2, pk, 32);
	crypto_hash_sha256(h, buf, n + 34);
	memcpy(out, h, 4);
}

/* A signature line for text by key under name, with the given key id. */
static void
sig_line(char *out, size_t cap, const struct coso_key *key, const char *name,
    const uint8_t kid[4], const char *text)
{
	uint8_t blob[68];
	char b64[128];

	memcpy(blob, kid, 4);
	coso_key_sign(key, blob + 4, (const uint8_t *) text, strlen(text));
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, cap, "\xE2\x80\x94 %s %s\n", name, b64);
}

/* text, a blank line, one signature line by f->key under NAME. */
static char *
craft(const struct fix *f, const char *text)
{
	char line[256], *note = malloc(COSO_NOTE_MAX * 2);
	uint8_t kid[4];

	assert_non_null(note);
	spec_key_id(kid, NAME, f->pk);
	sig_line(line, sizeof(line), f->key, NAME, kid, text);
	snprintf(note, COSO_NOTE_MAX * 2, "%s\n%s", text, line);
	return note;
}

static int
verify(const struct fix *f, const char *note)
{
	struct coso_checkpoint cp;

	return coso_checkpoint_verify(&cp, note, strlen(note), NAME, f->pk);
}

static int
verify_text(const struct fix *f, const char *text)
{
	char *note = craft(f, text);
	int rc     = verify(f, note);

	free(note);
	return rc;
}

static void
test_key_id(void **state)
{
	struct fix *f = *state;
	uint8_t got[4], want[4], pk[32];
	char *vkey = NULL;

	unhex(pk, 32, rfc_pk_hex);
	assert_memory_equal(f->pk, pk, 32);
	coso_note_key_id(got, NAME, f->pk);
	spec_key_id(want, NAME, f->pk);
	assert_memory_equal(got, want, 4);
	unhex(want, 4, golden_kid_hex);
	assert_memory_equal(got, want, 4);
	coso_note_key_id(got, "coso.example/other", f->pk);
	assert_memory_not_equal(got, want, 4);

	assert_int_equal(coso_note_vkey_format(&vkey, NAME, f->pk), COSO_OK);
	assert_string_equal(vkey, golden_vkey);
	free(vkey);
	vkey = NULL;
	assert_int_equal(coso_note_vkey_format(&vkey, "", pk), COSO_EINVAL);
	assert_int_equal(coso_note_vkey_format(&vkey, "a+b", pk), COSO_EINVAL);
	assert_int_equal(coso_note_vkey_format(&vkey, "a b", pk), COSO_EINVAL);
	assert_int_equal(coso_note_vkey_format(&vkey,
	                     "a\xC2\xA0"
	                     "b",
	                     pk),
	    COSO_EINVAL); /* U+00A0 no-break space */
	assert_int_equal(
	    coso_note_vkey_format(&vkey, "a\xE3\x80\x80", pk), COSO_EINVAL);
	assert_int_equal(
	    coso_note_vkey_format(&vkey, "a\xFF", pk), COSO_EINVAL);
	assert_null(vkey);
}

/* vkey parsed into (name, pk); 0 or the error, outputs untouched then. */
static int
vparse(const char *vkey, size_t len, char name[COSO_KEYNAME_MAX + 1],
    uint8_t pk[32])
{
	char n2[COSO_KEYNAME_MAX + 1];
	uint8_t p2[32];
	int rc;

	memset(n2, 'x', sizeof(n2));
	memset(p2, 0xAA, sizeof(p2));
	rc = coso_note_vkey_parse(n2, p2, vkey, len);
	if (rc != COSO_OK) {
		for (size_t i = 0; i < sizeof(n2); i++) {
			assert_int_equal(n2[i], 'x');
		}
		for (size_t i = 0; i < sizeof(p2); i++) {
			assert_int_equal(p2[i], 0xAA);
		}
		return rc;
	}
	memcpy(name, n2, sizeof(n2));
	memcpy(pk, p2, 32);
	return COSO_OK;
}

static void
test_vkey_parse(void **state)
{
	struct fix *f = *state;
	/* Go's golang.org/x/mod/sumdb/note documentation's example key. */
	static const char go_vkey[]
	    = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	      "LDE4izWy10TW";
	static const char alphabet[] = "a0A+/=.-Z9f ";
	char name[COSO_KEYNAME_MAX + 1], buf[256], *vkey = NULL;
	uint8_t pk[32], blob[33];
	size_t len = strlen(golden_vkey);

	assert_int_equal(vparse(golden_vkey, len, name, pk), COSO_OK);
	assert_string_equal(name, NAME);
	assert_memory_equal(pk, f->pk, 32);
	assert_int_equal(vparse(go_vkey, strlen(go_vkey), name, pk), COSO_OK);
	assert_string_equal(name, "PeterNeumann");
	/* Round trip under another name. */
	assert_int_equal(
	    coso_note_vkey_format(&vkey, "gov.example/coso", f->pk), COSO_OK);
	assert_int_equal(vparse(vkey, strlen(vkey), name, pk), COSO_OK);
	assert_string_equal(name, "gov.example/coso");
	assert_memory_equal(pk, f->pk, 32);
	free(vkey);
	/* Every single-character change is refused: the key id binds the
	 * name and the key, and the encodings are canonical. */
	for (size_t i = 0; i < len; i++) {
		for (const char *c = alphabet; *c != '\0'; c++) {
			if (golden_vkey[i] == *c) {
				continue;
			}
			memcpy(buf, golden_vkey, len);
			buf[i] = *c;
			assert_int_not_equal(
			    vparse(buf, len, name, pk), COSO_OK);
		}
	}
	/* Cut short, a newline, upper-case hex, parts missing or empty. */
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(
		    vparse(golden_vkey, n, name, pk), COSO_EKEYFILE);
	}
	snprintf(buf, sizeof(buf), "%s\n", golden_vkey);
	assert_int_equal(vparse(buf, len + 1, name, pk), COSO_EKEYFILE);
	snprintf(buf, sizeof(buf), "%s", golden_vkey);
	memcpy(buf + strlen(NAME) + 1, "CE9F41E3", 8);
	assert_int_equal(vparse(buf, len, name, pk), COSO_EKEYFILE);
	snprintf(
	    buf, sizeof(buf), "+ce9f41e3+%s", golden_vkey + strlen(NAME) + 10);
	assert_int_equal(vparse(buf, strlen(buf), name, pk), COSO_EKEYFILE);
	snprintf(buf, sizeof(buf), "%s+ce9f41e3", NAME);
	assert_int_equal(vparse(buf, strlen(buf), name, pk), COSO_EKEYFILE);
	assert_int_equal(vparse(NAME, strlen(NAME), name, pk), COSO_EKEYFILE);
	/* Another algorithm than Ed25519 (0x01). */
	blob[0] = 0x02;
	memcpy(blob + 1, f->pk, 32);
	len = (size_t) snprintf(buf, sizeof(buf), "%s+ce9f41e3+", NAME);
	sodium_bin2base64(buf + len, sizeof(buf) - len, blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(vparse(buf, strlen(buf), name, pk), COSO_EKEYTYPE);
}

static void
test_golden(void **state)
{
	struct fix *f = *state;
	struct coso_checkpoint cp;
	char *note = NULL;

	assert_int_equal(
	    coso_checkpoint_sign(&note, f->key, NAME, NAME, 8, f->root),
	    COSO_OK);
	assert_string_equal(note, golden_note);
	free(note);
	assert_int_equal(coso_checkpoint_verify(&cp, golden_note,
	                     strlen(golden_note), NAME, f->pk),
	    COSO_OK);
	assert_string_equal(cp.origin, NAME);
	assert_true(cp.size == 8);
	assert_memory_equal(cp.root, f->root, 32);
	/* The signature is over the note text exactly. */
	assert_int_equal(
	    strncmp(golden_note, golden_text, strlen(golden_text)), 0);
}

static void
test_round_trip(void **state)
{
	struct fix *f      = *state;
	struct coso_key *k = NULL;
	struct coso_checkpoint cp;
	uint8_t pk[32], root[32];
	static const char origin[]
	    = "s\xE1\xBB\x9F-y-t\xE1\xBA\xBF.example/log";
	static const uint64_t sizes[]
	    = {0, 1, 9, 10, 1234567, COSO_TREE_SIZE_MAX};
	char *note = NULL;

	(void) f;
	assert_int_equal(coso_key_generate(&k), COSO_OK);
	coso_key_public(k, pk);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		randombytes_buf(root, 32);
		assert_int_equal(coso_checkpoint_sign(&note, k, "log-key",
		                     origin, sizes[i], root),
		    COSO_OK);
		memset(&cp, 0xEE, sizeof(cp));
		assert_int_equal(coso_checkpoint_verify(
		                     &cp, note, strlen(note), "log-key", pk),
		    COSO_OK);
		assert_string_equal(cp.origin, origin);
		assert_true(cp.size == sizes[i]);
		assert_memory_equal(cp.root, root, 32);
		/* Another key under the same name has another key id. */
		assert_int_equal(coso_checkpoint_verify(&cp, note,
		                     strlen(note), "log-key", f->pk),
		    COSO_EWRONGKEY);
		free(note);
		note = NULL;
	}
	assert_int_equal(coso_checkpoint_sign(&note, k, "log-key", origin,
	                     COSO_TREE_SIZE_MAX + 1, root),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_checkpoint_sign(&note, k, "log key", origin, 1, root),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_checkpoint_sign(&note, k, "log-key", "a\nb", 1, root),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_checkpoint_sign(&note, k, "log-key", "", 1, root),
	    COSO_EINVAL);
	assert_null(note);
	coso_key_free(k);
}

/* Every bit flip and every truncation of the golden note fails. */
static void
test_mutations(void **state)
{
	struct fix *f = *state;
	struct coso_checkpoint cp;
	size_t len = strlen(golden_note);
	char buf[sizeof(golden_note)];
	unsigned tried = 0;

	for (size_t i = 0; i < len; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(buf, golden_note, len);
			buf[i] ^= (char) (1u << bit);
			assert_int_not_equal(
			    coso_checkpoint_verify(&cp, buf, len, NAME, f->pk),
			    COSO_OK);
			tried++;
		}
		assert_int_not_equal(
		    coso_checkpoint_verify(&cp, golden_note, i, NAME, f->pk),
		    COSO_OK);
	}
	assert_int_equal(tried, 8 * len);
	assert_int_equal(
	    coso_checkpoint_verify(&cp, golden_note, len - 1, NAME, f->pk),
	    COSO_ETRUNC);
	/* Wrong key name, wrong key, invalid key name. */
	assert_int_equal(coso_checkpoint_verify(&cp, golden_note, len,
	                     "coso.example/other", f->pk),
	    COSO_EWRONGKEY);
	assert_int_equal(coso_checkpoint_verify(&cp, golden_note, len,
	                     "coso.example/centra", f->pk),
	    COSO_EWRONGKEY);
	assert_int_equal(
	    coso_checkpoint_verify(&cp, golden_note, len, "a+b", f->pk),
	    COSO_EINVAL);
}

static void
test_other_signatures(void **state)
{
	struct fix *f      = *state;
	struct coso_key *k = NULL;
	uint8_t kid[4], other_pk[32];
	char note[COSO_NOTE_MAX * 2], mine[256], theirs[256], bad[256];

	assert_int_equal(coso_key_generate(&k), COSO_OK);
	coso_key_public(k, other_pk);
	spec_key_id(kid, NAME, f->pk);
	sig_line(mine, sizeof(mine), f->key, NAME, kid, golden_text);
	/* Our name and key id, signed by another key. */
	sig_line(bad, sizeof(bad), k, NAME, kid, golden_text);
	spec_key_id(kid, "witness.example/w1", other_pk);
	sig_line(
	    theirs, sizeof(theirs), k, "witness.example/w1", kid, golden_text);

	snprintf(note, sizeof(note), "%s\n%s%s", golden_text, theirs, mine);
	assert_int_equal(verify(f, note), COSO_OK);
	snprintf(note, sizeof(note), "%s\n%s%s%s", golden_text, mine, theirs,
	    theirs);
	assert_int_equal(verify(f, note), COSO_OK);
	/* Our name, another key id: an unknown key, skipped. */
	snprintf(note, sizeof(note),
	    "%s\n\xE2\x80\x94 " NAME " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n%s",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_OK);
	/* Only other keys: not signed by ours. */
	snprintf(note, sizeof(note), "%s\n%s", golden_text, theirs);
	assert_int_equal(verify(f, note), COSO_EWRONGKEY);
	/* Every line of our key must verify; a bad one rejects the note. */
	snprintf(note, sizeof(note), "%s\n%s%s", golden_text, bad, mine);
	assert_int_equal(verify(f, note), COSO_EBADSIG);
	snprintf(note, sizeof(note), "%s\n%s%s", golden_text, mine, bad);
	assert_int_equal(verify(f, note), COSO_EBADSIG);
	snprintf(note, sizeof(note), "%s\n%s%s", golden_text, mine, mine);
	assert_int_equal(verify(f, note), COSO_OK);
	/* A malformed line of any key rejects the note. */
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 x AAAA\n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL); /* 3 bytes < 5 */
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 x AAAAAA==\n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL); /* 4 bytes < 5 */
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 x AAAAAAA=\n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_OK); /* 5 bytes: well formed */
	snprintf(
	    note, sizeof(note), "%s\n%s-- x AAAAAAA=\n", golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL);
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 x AAAAAAA\n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL); /* unpadded */
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 a+b AAAAAAA=\n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL);
	snprintf(note, sizeof(note), "%s\n%s\xE2\x80\x94 x AAAAAAA= \n",
	    golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL);
	snprintf(note, sizeof(note), "%s\n%s\n", golden_text, mine);
	assert_int_equal(verify(f, note), COSO_EINVAL); /* trailing blank */
	coso_key_free(k);
}

static void
test_malformed(void **state)
{
	struct fix *f   = *state;
	const char *b64 = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
	char text[1024], origin[COSO_ORIGIN_MAX + 2];

	snprintf(text, sizeof(text), NAME "\n8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_OK);
	snprintf(
	    text, sizeof(text), NAME "\n8\n%s\next one\n\xE2\x80\x94x\n", b64);
	assert_int_equal(verify_text(f, text), COSO_OK); /* extensions */
	snprintf(text, sizeof(text), NAME "\n08\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_ENONCANON);
	snprintf(text, sizeof(text), NAME "\n00\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_ENONCANON);
	snprintf(text, sizeof(text), NAME "\n0\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_OK);
	snprintf(text, sizeof(text), NAME "\n+8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n 8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n9223372036854775808\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_OK); /* 2^63 */
	snprintf(text, sizeof(text), NAME "\n9223372036854775809\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_ETOOBIG);
	snprintf(text, sizeof(text), NAME "\n18446744073709551616\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_ETOOBIG);
	/* Root: bits after the last byte, no padding, too short, too long,
	 * another alphabet. */
	snprintf(text, sizeof(text),
	    NAME "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n");
	assert_int_not_equal(verify_text(f, text), COSO_OK);
	snprintf(text, sizeof(text),
	    NAME "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n");
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n8\nAAAA\n");
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n8\n%sAAAA\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text),
	    NAME "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n");
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	/* Missing lines, empty lines, empty origin, long origin. */
	assert_int_equal(verify_text(f, NAME "\n8\n"), COSO_EINVAL);
	snprintf(text, sizeof(text), "\n8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), NAME "\n8\n%s\n\next\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	memset(origin, 'o', COSO_ORIGIN_MAX);
	origin[COSO_ORIGIN_MAX] = '\0';
	snprintf(text, sizeof(text), "%s\n8\n%s\n", origin, b64);
	assert_int_equal(verify_text(f, text), COSO_OK);
	memset(origin, 'o', COSO_ORIGIN_MAX + 1);
	origin[COSO_ORIGIN_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "%s\n8\n%s\n", origin, b64);
	assert_int_equal(verify_text(f, text), COSO_ETOOBIG);
	/* Control characters and bad UTF-8 anywhere. */
	snprintf(text, sizeof(text), NAME "\r\n8\r\n%s\r\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), "a\tb\n8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EINVAL);
	snprintf(text, sizeof(text), "a\xC0\xAF\n8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EUTF8);
	snprintf(text, sizeof(text), "a\xED\xA0\x80\n8\n%s\n", b64);
	assert_int_equal(verify_text(f, text), COSO_EUTF8);
}

/* The example of c2sp.org/tlog-checkpoint parses; no line is ours. */
static void
test_spec_example(void **state)
{
	struct fix *f = *state;
	static const char spec[]
	    = "example.com/behind-the-sofa\n"
	      "20852163\n"
	      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	      "\n"
	      "\xE2\x80\x94 example.com/behind-the-sofa "
	      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
	      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
	struct coso_checkpoint cp;

	assert_int_equal(coso_checkpoint_verify(&cp, spec, strlen(spec),
	                     "example.com/behind-the-sofa", f->pk),
	    COSO_EWRONGKEY);
	assert_int_equal(
	    coso_checkpoint_verify(&cp, spec, strlen(spec), NAME, f->pk),
	    COSO_EWRONGKEY);
}

static void
test_note_structure(void **state)
{
	struct fix *f = *state;
	struct coso_checkpoint cp;
	char *big = malloc(COSO_NOTE_MAX + 200);
	char crlf[512];
	size_t len;

	assert_non_null(big);
	/* No signature block, or an empty one. */
	assert_int_equal(verify(f, golden_text), COSO_EINVAL);
	snprintf(crlf, sizeof(crlf), "%s\n", golden_text);
	assert_int_equal(verify(f, crlf), COSO_EINVAL);
	assert_int_equal(verify(f, ""), COSO_ETRUNC);
	/* CRLF line ends on a note whose text was signed with them. */
	{
		char *note = craft(f,
		    NAME "\r\n8\r\n"
		         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+"
		         "Nw7/RgQyg=\r\n");

		assert_int_equal(verify(f, note), COSO_EINVAL);
		free(note);
	}
	/* Over COSO_NOTE_MAX: refused before anything else. */
	len = strlen(golden_note);
	memcpy(big, golden_note, len);
	while (len <= COSO_NOTE_MAX) {
		memcpy(big + len, "\xE2\x80\x94 x AAAAAAA=\n", 15);
		len += 15;
	}
	assert_int_equal(
	    coso_checkpoint_verify(&cp, big, len, NAME, f->pk), COSO_ETOOBIG);
	/* At the limit it is accepted. */
	while (len > COSO_NOTE_MAX) {
		len -= 15;
	}
	assert_int_equal(
	    coso_checkpoint_verify(&cp, big, len, NAME, f->pk), COSO_OK);
	/* A NUL inside is a control character. */
	memcpy(big, golden_note, strlen(golden_note));
	big[3] = '\0';
	assert_int_equal(
	    coso_checkpoint_verify(&cp, big, strlen(golden_note), NAME, f->pk),
	    COSO_EINVAL);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_id),
	    cmocka_unit_test(test_vkey_parse),
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_other_signatures),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_spec_example),
	    cmocka_unit_test(test_note_structure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
