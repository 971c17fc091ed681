/*
 * i18n.h: gettext for the command line.  Messages are written in English
 * and translated through the "coso" catalogue; English is the fallback.
 */
#ifndef COSO_CLIENT_I18N_H
#define COSO_CLIENT_I18N_H

#include <libintl.h>

#define _(s)  gettext(s)
#define N_(s) s

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * Sets the locale from the environment and binds the catalogue: to
 * $COSO_LOCALEDIR, else the `locale' directory beside the executable, else
 * LOCALEDIR.  Called once from main before any other thread exists.
 */
void i18n_init(void);

#endif /* COSO_CLIENT_I18N_H */
