# po/po.mk: the message catalogues, included from the Makefile after B
# and Q are set.  Builds $(MO_FILES) under $(B)/locale, where `coso' finds
# them beside itself; `make pot' regenerates po/coso.pot from the sources
# (the library's English messages too: coso translates them through
# their formats, client/cli/detail.c);
# `make po-merge' brings the .po files up to date with it.

PO_LANGS := vi
MO_FILES := $(PO_LANGS:%=$(B)/locale/%/LC_MESSAGES/coso.mo)
LOCALEDIR ?= $(PREFIX)/share/locale
MSGFMT ?= msgfmt
MSGMERGE ?= msgmerge
XGETTEXT ?= xgettext
XGETTEXT_FLAGS := --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
	--keyword=ngettext:1,2 --add-comments=TRANSLATORS \
	--keyword=cosoi_fail:3 --flag=cosoi_fail:3:c-format \
	--package-name=coso --msgid-bugs-address= --sort-by-file

.PHONY: pot po-merge install-mo

# Where an installed coso looks when there is no locale/ beside it.
$(B)/common/i18n.o $(B)/san/common/i18n.o: ALL_CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'

$(B)/locale/%/LC_MESSAGES/coso.mo: po/%.po
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $@")
	$(Q)$(MSGFMT) --check -o $@ $<

pot:
	$(Q)$(XGETTEXT) $(XGETTEXT_FLAGS) -o po/coso.pot \
		$(sort $(wildcard client/cli/*.c client/audit/*.c) \
			$(wildcard client/lib/*.c common/*.c) daemon/cosod.c \
			daemon/field.c proto/error.c)

po-merge: pot
	$(Q)for l in $(PO_LANGS); do \
		$(MSGMERGE) --quiet --update --backup=none po/$$l.po \
			po/coso.pot || exit 1; done

install-mo: $(MO_FILES)
	$(Q)for l in $(PO_LANGS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(B)/locale/$$l/LC_MESSAGES/coso.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; done
