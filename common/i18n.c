/*
 * i18n.c: locale and message catalogue set-up.
 */
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

/* The `locale' directory beside the executable, if it exists, in buf. */
static int
beside_exe(char *buf, size_t n)
{
	static const char sub[] = "/locale";
	struct stat st;
	ssize_t len;
	char *slash;

	len = readlink("/proc/self/exe", buf, n - sizeof(sub));
	if (len <= 0 || (size_t) len >= n - sizeof(sub)) {
		return -1;
	}
	buf[len] = 0;
	if ((slash = strrchr(buf, '/')) == NULL) {
		return -1;
	}
	memcpy(slash, sub, sizeof(sub));
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int
is_c_locale(const char *name)
{
	return name == NULL || strcmp(name, "C") == 0
	    || strcmp(name, "POSIX") == 0;
}

/*
 * A field device may lack the generated vi_VN locale; setlocale then
 * fails and gettext would ignore the language.  Fall back to C.UTF-8 and
 * carry the wanted language in LANGUAGE, which gettext honours there.
 */
static void
set_locale(void)
{
	const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v       = NULL;
	size_t i;

	if (setlocale(LC_ALL, "") != NULL) {
		/* A bare shell (no LANG) gives "C": gettext would ignore
		 * LANGUAGE there and text would not be UTF-8.  coso is UTF-8
		 * end to end, so the C locale becomes C.UTF-8. */
		if (is_c_locale(setlocale(LC_MESSAGES, NULL))) {
			setlocale(LC_MESSAGES, "C.UTF-8");
		}
		if (is_c_locale(setlocale(LC_CTYPE, NULL))) {
			setlocale(LC_CTYPE, "C.UTF-8");
		}
		return;
	}
	setlocale(LC_ALL, "C.UTF-8");
	for (i = 0; i < 3 && (v == NULL || v[0] == 0); i++) {
		v = getenv(names[i]);
	}
	if (v != NULL && v[0] != 0 && getenv("LANGUAGE") == NULL) {
		char lang[64];
		size_t n = strcspn(v, ".@");

		if (n < sizeof(lang)) {
			memcpy(lang, v, n);
			lang[n] = 0;
			setenv("LANGUAGE", lang, 0);
		}
	}
}

void
i18n_init(void)
{
	char buf[PATH_MAX];
	const char *dir = getenv("COSO_LOCALEDIR");

	set_locale();
	/* Numbers that programs read (JSON, CSV, XLSX, options such as
	 * --interval 0.5) keep the decimal point whatever the language. */
	setlocale(LC_NUMERIC, "C");
	if (dir == NULL || dir[0] == 0) {
		dir = beside_exe(buf, sizeof(buf)) == 0 ? buf : LOCALEDIR;
	}
	bindtextdomain("coso", dir);
	bind_textdomain_codeset("coso", "UTF-8");
	textdomain("coso");
}
