/*
 * test_schema.c: every field id has a name in proto.h, and that name is
 * the field schema.c gives that number in that table; the device_key
 * row id rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

/* Every COSO_F_ name, its table, and the name schema.c gives it.  A field
 * added to schema.c without a name here fails the count below. */
static const struct named {
	uint32_t table;
	uint32_t field;
	const char *name;
} names[] = {
    {COSO_T_UNIT, COSO_F_UNIT_CODE, "code"},
    {COSO_T_UNIT, COSO_F_UNIT_NAME, "name"},
    {COSO_T_UNIT, COSO_F_UNIT_LEVEL, "level"},
    {COSO_T_UNIT, COSO_F_UNIT_PARENT, "parent"},
    {COSO_T_UNIT, COSO_F_UNIT_VALID_FROM, "valid_from"},
    {COSO_T_UNIT, COSO_F_UNIT_VALID_TO, "valid_to"},
    {COSO_T_UNIT, COSO_F_UNIT_MERGED_INTO, "merged_into"},
    {COSO_T_CADRE, COSO_F_CADRE_CADRE_ID, "cadre_id"},
    {COSO_T_CADRE, COSO_F_CADRE_NAME, "name"},
    {COSO_T_CADRE, COSO_F_CADRE_TITLE, "title"},
    {COSO_T_CADRE, COSO_F_CADRE_UNIT, "unit"},
    {COSO_T_DEVICE_KEY, COSO_F_DEVICE_KEY_CADRE_ID, "cadre_id"},
    {COSO_T_DEVICE_KEY, COSO_F_DEVICE_KEY_PUBLIC_KEY, "public_key"},
    {COSO_T_DEVICE_KEY, COSO_F_DEVICE_KEY_ROLE, "role"},
    {COSO_T_DEVICE_KEY, COSO_F_DEVICE_KEY_ADDED, "added"},
    {COSO_T_DEVICE_KEY, COSO_F_DEVICE_KEY_TOKEN_HASH, "token_hash"},
    {COSO_T_TOKEN, COSO_F_TOKEN_CADRE_ID, "cadre_id"},
    {COSO_T_TOKEN, COSO_F_TOKEN_TOKEN_HASH, "token_hash"},
    {COSO_T_TOKEN, COSO_F_TOKEN_EXPIRES, "expires"},
    {COSO_T_REVOCATION, COSO_F_REVOCATION_KEY_ID, "key_id"},
    {COSO_T_REVOCATION, COSO_F_REVOCATION_REASON, "reason"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_CADRE_ID, "cadre_id"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_UNIT, "unit"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_SECTOR, "sector"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_ROLE, "role"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_VALID_FROM, "valid_from"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_VALID_TO, "valid_to"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_DECISION, "decision"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_REPLACES, "replaces"},
    {COSO_T_ASSIGNMENT, COSO_F_ASSIGNMENT_HANDOVER_NOTE, "handover_note"},
    {COSO_T_VISIT, COSO_F_VISIT_UNIT, "unit"},
    {COSO_T_VISIT, COSO_F_VISIT_DATE, "date"},
    {COSO_T_VISIT, COSO_F_VISIT_PURPOSE, "purpose"},
    {COSO_T_VISIT, COSO_F_VISIT_SITUATION, "situation"},
    {COSO_T_VISIT, COSO_F_VISIT_DIFFICULTIES, "difficulties"},
    {COSO_T_VISIT, COSO_F_VISIT_DIRECTIONS, "directions"},
    {COSO_T_VISIT, COSO_F_VISIT_PARTICIPANTS, "participants"},
    {COSO_T_VISIT, COSO_F_VISIT_LAT, "lat"},
    {COSO_T_VISIT, COSO_F_VISIT_LON, "lon"},
    {COSO_T_VISIT, COSO_F_VISIT_AMENDS, "amends"},
    {COSO_T_OUTCOME, COSO_F_OUTCOME_VISIT, "visit"},
    {COSO_T_OUTCOME, COSO_F_OUTCOME_TEXT, "text"},
    {COSO_T_OUTCOME, COSO_F_OUTCOME_QUANTITY, "quantity"},
    {COSO_T_OUTCOME, COSO_F_OUTCOME_QUANTITY_UNIT, "quantity_unit"},
    {COSO_T_OUTCOME, COSO_F_OUTCOME_AMOUNT_VND, "amount_vnd"},
    {COSO_T_PROPOSAL, COSO_F_PROPOSAL_SOURCE, "source"},
    {COSO_T_PROPOSAL, COSO_F_PROPOSAL_UNIT, "unit"},
    {COSO_T_PROPOSAL, COSO_F_PROPOSAL_TEXT, "text"},
    {COSO_T_PROPOSAL, COSO_F_PROPOSAL_DATE, "date"},
    {COSO_T_RESPONSE, COSO_F_RESPONSE_PROPOSAL, "proposal"},
    {COSO_T_RESPONSE, COSO_F_RESPONSE_STATUS, "status"},
    {COSO_T_RESPONSE, COSO_F_RESPONSE_TEXT, "text"},
    {COSO_T_RESPONSE, COSO_F_RESPONSE_DATE, "date"},
    {COSO_T_REPORT, COSO_F_REPORT_UNIT, "unit"},
    {COSO_T_REPORT, COSO_F_REPORT_PERIOD, "period"},
    {COSO_T_REPORT, COSO_F_REPORT_RESULTS, "results"},
    {COSO_T_REPORT, COSO_F_REPORT_SITUATION, "situation"},
    {COSO_T_REPORT, COSO_F_REPORT_DIFFICULTIES, "difficulties"},
    {COSO_T_REPORT, COSO_F_REPORT_PROPOSALS, "proposals"},
    {COSO_T_REPORT, COSO_F_REPORT_AMENDS, "amends"},
    {COSO_T_REPORT, COSO_F_REPORT_SUBMITTED, "submitted"},
    {COSO_T_HANDOVER, COSO_F_HANDOVER_UNIT, "unit"},
    {COSO_T_HANDOVER, COSO_F_HANDOVER_TEXT, "text"},
    {COSO_T_HANDOVER, COSO_F_HANDOVER_DATE, "date"},
    {COSO_T_HANDOVER, COSO_F_HANDOVER_TO_CADRE, "to_cadre"},
    {COSO_T_SECTOR, COSO_F_SECTOR_CODE, "code"},
    {COSO_T_SECTOR, COSO_F_SECTOR_NAME, "name"},
    {COSO_T_TEAM, COSO_F_TEAM_SECTOR, "sector"},
    {COSO_T_TEAM, COSO_F_TEAM_NAME, "name"},
    {COSO_T_TEAM, COSO_F_TEAM_LEADER, "leader"},
    {COSO_T_SCHEDULE, COSO_F_SCHEDULE_KIND, "kind"},
    {COSO_T_SCHEDULE, COSO_F_SCHEDULE_DUE_DAYS, "due_days"},
    {COSO_T_SCHEDULE, COSO_F_SCHEDULE_GRACE_DAYS, "grace_days"},
    {COSO_T_UNIT_MOVE, COSO_F_UNIT_MOVE_CODE, "code"},
    {COSO_T_UNIT_MOVE, COSO_F_UNIT_MOVE_DATE, "date"},
    {COSO_T_UNIT_MOVE, COSO_F_UNIT_MOVE_OLD_PARENT, "old_parent"},
    {COSO_T_UNIT_MOVE, COSO_F_UNIT_MOVE_NEW_PARENT, "new_parent"},
    {COSO_T_CONSOLE_ACCESS, COSO_F_CONSOLE_ACCESS_CADRE_ID, "cadre_id"},
    {COSO_T_CONSOLE_ACCESS, COSO_F_CONSOLE_ACCESS_ROLE, "role"},
    {COSO_T_CONSOLE_ACCESS, COSO_F_CONSOLE_ACCESS_UNIT, "unit"},
    {COSO_T_CONSOLE_ACCESS, COSO_F_CONSOLE_ACCESS_SECTOR, "sector"},
    {COSO_T_CONSOLE_ACCESS, COSO_F_CONSOLE_ACCESS_VALID_TO, "valid_to"},
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

static void
test_names_match_schema(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < NNAMES; i++) {
		const struct coso_schema_table *t
		    = coso_schema_table(names[i].table);
		const struct coso_schema_field *f;

		assert_non_null(t);
		f = coso_schema_field(t, names[i].field);
		assert_non_null(f);
		assert_string_equal(f->name, names[i].name);
	}
}

/* Each table's fields in schema.c are all named, once. */
static void
test_every_field_named(void **state)
{
	uint32_t id;
	size_t i, k, total = 0;

	(void) state;
	for (id = 1; id <= COSO_TABLE_ID_MAX; id++) {
		const struct coso_schema_table *t = coso_schema_table(id);

		for (k = 0; t != NULL && k < t->nfields; k++) {
			size_t seen = 0;

			for (i = 0; i < NNAMES; i++) {
				seen += names[i].table == id
				    && names[i].field == t->fields[k].id;
			}
			assert_int_equal(seen, 1);
			total++;
		}
	}
	assert_int_equal(total, NNAMES);
	assert_int_equal(total, 82);
}

/* The row of a device key: uuid_named("device_key", lowercase hex of the
 * key id), a UUIDv7, and another key gives another row. */
static void
test_device_key_row(void **state)
{
	uint8_t id[32], row[16], want[16], other[16];
	char hex[65];

	(void) state;
	for (size_t i = 0; i < 32; i++) {
		id[i] = (uint8_t) (0xa0 + i);
	}
	sodium_bin2hex(hex, sizeof(hex), id, 32);
	assert_int_equal(hex[0], 'a'); /* lowercase */
	coso_uuid_named(want, "device_key", hex);
	coso_device_key_row(row, id);
	assert_memory_equal(row, want, 16);
	assert_true(coso_uuid7_valid(row));
	id[31] ^= 1;
	coso_device_key_row(other, id);
	assert_memory_not_equal(row, other, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_match_schema),
	    cmocka_unit_test(test_every_field_named),
	    cmocka_unit_test(test_device_key_row),
	};
	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
