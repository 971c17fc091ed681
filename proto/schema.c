/*
 * schema.c: the body schema, fixed numbers for tables and fields.  The
 * same tables are in FORMAT.md, "Schema".  Ids are never reused: a field
 * that goes away keeps its number, retired.
 *
 * Units of measure: dates are ints YYYYMMDD (20251127), times are Unix
 * milliseconds, lat/lon are microdegrees, quantities are thousandths.
 * Enumerations (unit level, roles, status, schedule kind) are ints whose
 * ranges merge checks; the body decoder checks only types and presence.
 */
#include <stddef.h>

#include <sodium.h>

#include <coso/proto.h>

#define REQ   1
#define OPT   0
#define TEXT  COSO_TY_TEXT
#define INT   COSO_TY_INT
#define BYTES COSO_TY_BYTES
#define NUL   COSO_TY_NULL

static const struct coso_schema_field f_unit[] = {
    {1, "code", TEXT, REQ},
    {2, "name", TEXT, REQ},
    {3, "level", INT, REQ}, /* 1 province .. 5 household */
    {4, "parent", TEXT | NUL, OPT},
    {5, "valid_from", INT, REQ},
    {6, "valid_to", INT | NUL, OPT},
    {7, "merged_into", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_cadre[] = {
    {1, "cadre_id", TEXT, REQ},
    {2, "name", TEXT, REQ},
    {3, "title", TEXT | NUL, OPT},
    {4, "unit", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_device_key[] = {
    {1, "cadre_id", TEXT, REQ}, {2, "public_key", BYTES, REQ},
    {3, "role", INT, REQ}, /* 1 field, 2 admin */
    {4, "added", INT | NUL, OPT},
    {5, "token_hash", BYTES | NUL, OPT}, /* the enrollment it came from */
};

static const struct coso_schema_field f_token[] = {
    {1, "cadre_id", TEXT, REQ},
    {2, "token_hash", BYTES, REQ},
    {3, "expires", INT, REQ},
};

static const struct coso_schema_field f_revocation[] = {
    {1, "key_id", BYTES, REQ},
    {2, "reason", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_assignment[] = {
    {1, "cadre_id", TEXT, REQ},
    {2, "unit", TEXT | NUL, OPT},
    {3, "sector", TEXT | NUL, OPT},
    {4, "role", INT, REQ}, /* 1 in-charge, 2 monitor, 3 support */
    {5, "valid_from", INT, REQ},
    {6, "valid_to", INT | NUL, OPT},
    {7, "decision", TEXT | NUL, OPT},
    {8, "replaces", BYTES | NUL, OPT},
    {9, "handover_note", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_visit[] = {
    {1, "unit", TEXT, REQ},
    {2, "date", INT, REQ},
    {3, "purpose", TEXT | NUL, OPT},
    {4, "situation", TEXT | NUL, OPT},
    {5, "difficulties", TEXT | NUL, OPT},
    {6, "directions", TEXT | NUL, OPT},
    {7, "participants", TEXT | NUL, OPT},
    {8, "lat", INT | NUL, OPT},
    {9, "lon", INT | NUL, OPT},
    {10, "amends", BYTES | NUL, OPT},
};

static const struct coso_schema_field f_outcome[] = {
    {1, "visit", BYTES, REQ},
    {2, "text", TEXT, REQ},
    {3, "quantity", INT | NUL, OPT},
    {4, "quantity_unit", TEXT | NUL, OPT},
    {5, "amount_vnd", INT | NUL, OPT},
};

static const struct coso_schema_field f_proposal[] = {
    {1, "source", BYTES, REQ},
    {2, "unit", TEXT, REQ},
    {3, "text", TEXT, REQ},
    {4, "date", INT, REQ},
};

static const struct coso_schema_field f_response[] = {
    {1, "proposal", BYTES, REQ},
    {2, "status", INT, REQ}, /* 1 answered, 2 resolved, 3 declined */
    {3, "text", TEXT, REQ},
    {4, "date", INT, REQ},
};

static const struct coso_schema_field f_report[] = {
    {1, "unit", TEXT, REQ},
    {2, "period", TEXT, REQ},
    {3, "results", TEXT, REQ},
    {4, "situation", TEXT, REQ},
    {5, "difficulties", TEXT, REQ},
    {6, "proposals", TEXT, REQ},
    {7, "amends", BYTES | NUL, OPT},
    {8, "submitted", INT, REQ},
};

static const struct coso_schema_field f_handover[] = {
    {1, "unit", TEXT, REQ},
    {2, "text", TEXT, REQ},
    {3, "date", INT, REQ},
    {4, "to_cadre", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_sector[] = {
    {1, "code", TEXT, REQ},
    {2, "name", TEXT, REQ},
};

static const struct coso_schema_field f_team[] = {
    {1, "sector", TEXT, REQ},
    {2, "name", TEXT, REQ},
    {3, "leader", TEXT | NUL, OPT},
};

static const struct coso_schema_field f_schedule[] = {
    {1, "kind", INT, REQ}, /* 1 quarterly, 2 six-monthly, 3 yearly */
    {2, "due_days", INT, REQ},
    {3, "grace_days", INT, REQ},
};

/* A unit's parent changed on date: the tree of any past day is the
 * current one with these undone (a unit row holds its current parent). */
static const struct coso_schema_field f_unit_move[] = {
    {1, "code", TEXT, REQ},
    {2, "date", INT, REQ}, /* the first day under new_parent */
    {3, "old_parent", TEXT | NUL, OPT},
    {4, "new_parent", TEXT | NUL, OPT},
};

/* Who may open the office's console (docs/central.md, "Console
 * access"); row id coso_uuid_named("console_access", cadre_id). */
static const struct coso_schema_field f_console_access[] = {
    {1, "cadre_id", TEXT, REQ}, {2, "role", INT, REQ}, /* 1 leader, 2 office */
    {3, "unit", TEXT | NUL, OPT}, {4, "sector", TEXT | NUL, OPT},
    {5, "valid_to", INT | NUL, OPT}, /* last day; 0 or null: open-ended */
};

#define ADMIN   1
#define FIELD   0
#define APPEND  1
#define MUTABLE 0
#define TABLE(id, name, admin, append)    \
	[id] = {id, #name, admin, append, \
	    sizeof(f_##name) / sizeof(f_##name[0]), f_##name}

/* Indexed by table id; slot 0 and unlisted ids are empty (name NULL). */
static const struct coso_schema_table tables[] = {
    TABLE(1, unit, ADMIN, MUTABLE),
    TABLE(2, cadre, ADMIN, MUTABLE),
    TABLE(3, device_key, ADMIN, MUTABLE),
    TABLE(4, token, ADMIN, APPEND),
    TABLE(5, revocation, ADMIN, APPEND),
    TABLE(6, assignment, ADMIN, MUTABLE),
    TABLE(7, visit, FIELD, APPEND),
    TABLE(8, outcome, FIELD, APPEND),
    TABLE(9, proposal, FIELD, APPEND),
    TABLE(10, response, ADMIN, APPEND),
    TABLE(11, report, FIELD, APPEND),
    TABLE(12, handover, FIELD, APPEND),
    TABLE(13, sector, ADMIN, MUTABLE),
    TABLE(14, team, ADMIN, MUTABLE),
    TABLE(15, schedule, ADMIN, MUTABLE),
    TABLE(16, unit_move, ADMIN, MUTABLE),
    TABLE(17, console_access, ADMIN, MUTABLE),
};

const struct coso_schema_table *
coso_schema_table(uint32_t id)
{
	if (id >= sizeof(tables) / sizeof(tables[0])
	    || tables[id].name == NULL) {
		return NULL;
	}
	return &tables[id];
}

const struct coso_schema_field *
coso_schema_field(const struct coso_schema_table *t, uint32_t id)
{
	size_t i;

	if (t == NULL) {
		return NULL;
	}
	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].id == id) {
			return &t->fields[i];
		}
	}
	return NULL;
}

void
coso_device_key_row(uint8_t row[static 16], const uint8_t key_id[static 32])
{
	char hex[2 * 32 + 1];

	sodium_bin2hex(hex, sizeof(hex), key_id, 32);
	coso_uuid_named(row, "device_key", hex);
}
