/*
 * fetch.c: GET requests to the central with libcurl.  One easy handle is
 * reused so the connection stays open across the many entry pages of a
 * full audit.  Only the network is retried: an answer the central gives
 * on purpose (4xx) is final.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "audit.h"

#define BACKOFF_MAX_MS 8000u

struct sink {
	struct coso_buf b;
	int over;
};

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *k = arg;
	size_t n       = size * nmemb;
	int err        = coso_buf_add(&k->b, data, n);

	k->over = err == COSO_ETOOBIG;
	return err == COSO_OK ? n : 0; /* 0 stops the transfer */
}

static int curl_get(
    struct fetch *f, const char *path, size_t max, char **body, size_t *len);

int
fetch_init(struct fetch *f, const char *base, const char *token)
{
	struct curl_slist *h = NULL;
	char *line;
	size_t n = strlen(base);

	memset(f, 0, sizeof(*f));
	while (n > 0 && base[n - 1] == '/') {
		n--;
	}
	if (n == 0 || n >= sizeof(f->base)) {
		snprintf(
		    f->err, sizeof(f->err), "the URL is empty or too long");
		return AUDIT_BAD;
	}
	memcpy(f->base, base, n);
	f->get        = curl_get;
	f->tries      = 5;
	f->backoff_ms = 500;
	if ((f->curl = curl_easy_init()) == NULL) {
		return AUDIT_MEM;
	}
	if (token != NULL) {
		n    = strlen(token) + sizeof("Authorization: Bearer ");
		line = sodium_malloc(n);
		if (line == NULL) {
			return AUDIT_MEM;
		}
		snprintf(line, n, "Authorization: Bearer %s", token);
		h = curl_slist_append(NULL, line);
		sodium_free(line);
		if (h == NULL) {
			return AUDIT_MEM;
		}
		f->headers = h;
	}
	return AUDIT_OK;
}

void
fetch_fini(struct fetch *f)
{
	struct curl_slist *h = f->headers;
	struct curl_slist *i;

	for (i = h; i != NULL; i = i->next) {
		sodium_memzero(i->data, strlen(i->data));
	}
	curl_slist_free_all(h);
	if (f->curl != NULL) {
		curl_easy_cleanup(f->curl);
	}
	f->curl    = NULL;
	f->headers = NULL;
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* One attempt: CURLE_OK with the status in f->status, or a curl error. */
static CURLcode
attempt(struct fetch *f, const char *url, struct sink *k, char *cerr)
{
	CURL *c = f->curl;
	CURLcode rc;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	if (f->headers != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, f->headers);
	}
	cerr[0]   = '\0';
	f->status = 0;
	k->over   = 0;
	coso_buf_reset(&k->b);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
	}
	return rc;
}

static int
curl_get(
    struct fetch *f, const char *path, size_t max, char **body, size_t *len)
{
	struct sink k = {.b = {.max = max}};
	uint8_t *p    = NULL;
	char url[2048], cerr[CURL_ERROR_SIZE];
	unsigned i, wait = f->backoff_ms;
	CURLcode rc = CURLE_OK;

	snprintf(url, sizeof(url), "%s%s", f->base, path);
	for (i = 0; i < f->tries; i++) {
		if (i > 0) {
			pause_ms(wait);
			wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
			                                 : wait * 2;
		}
		rc = attempt(f, url, &k, cerr);
		if (k.over) {
			snprintf(f->err, sizeof(f->err),
			    "%s: the answer is over %zu bytes", path, max);
			coso_buf_free(&k.b);
			return AUDIT_BAD;
		}
		if (rc == CURLE_OK && f->status < 500) {
			break;
		}
	}
	if (rc != CURLE_OK) {
		snprintf(f->err, sizeof(f->err),
		    "cannot read `%.200s': %.200s", url,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(rc));
		coso_buf_free(&k.b);
		return AUDIT_NET;
	}
	if (f->status != 200) {
		snprintf(f->err, sizeof(f->err),
		    "`%.200s' answered HTTP %ld%s%.200s", url, f->status,
		    k.b.len > 0 ? ": " : "",
		    k.b.len > 0 && k.b.len < 200 ? (char *) k.b.p : "");
		coso_buf_free(&k.b);
		return f->status >= 500 ? AUDIT_NET : AUDIT_HTTP;
	}
	if (coso_buf_take(&k.b, &p, len) != COSO_OK) {
		coso_buf_free(&k.b);
		return AUDIT_MEM;
	}
	*body = (char *) p;
	return AUDIT_OK;
}
