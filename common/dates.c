/*
 * dates.c: calendar dates as YYYYMMDD integers, reporting periods.
 *
 * Vietnam keeps UTC+7 all year, so "today" on a device is the UTC+7 date
 * of its clock, whatever the device's time zone setting says.
 */
#include <stdio.h>
#include <string.h>

#include <coso/common.h>

#define VN_OFFSET_MS (7 * 3600 * 1000)
#define MS_PER_DAY   86400000

static int
days_in_month(int y, int m)
{
	static const int days[]
	    = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
coso_days(int32_t date)
{
	return days_from_civil(date / 10000, date / 100 % 100, date % 100);
}

int32_t
coso_date_of_days(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y   = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp  = (5 * doy + 2) / 153;
	d   = doy - (153 * mp + 2) / 5 + 1;
	m   = mp < 10 ? mp + 3 : mp - 9;
	return (int32_t) ((y + (m <= 2)) * 10000 + m * 100 + d);
}

static int
valid_ymd(int y, int m, int d)
{
	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1
	    && d <= days_in_month(y, m);
}

int
coso_date_valid(int32_t date)
{
	return date > 0
	    && valid_ymd(date / 10000, date / 100 % 100, date % 100);
}

/* Reads 1 to max digits at *p as an int; 0 if none or more than max. */
static int
digits(const char **p, int max, int *out)
{
	int n = 0, v = 0;

	while (**p >= '0' && **p <= '9') {
		if (++n > max) {
			return 0;
		}
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return n;
}

/*
 * The forms people type: ISO YYYY-MM-DD (exactly, as scripts write it),
 * and the Vietnamese day first, d/m/yyyy or dd/mm/yyyy, with `/', `-' or
 * `.' between the parts (one kind in a date).  A year of two digits is
 * refused: 4/12/26 could be 1926 or 2026.
 */
int
coso_date_parse(const char *s, int32_t *out)
{
	const char *p = s, *end;
	int a, b, c, na, nb, nc, y, m, d;
	char sep;

	if (s == NULL) {
		return COSO_EDATE;
	}
	p += strspn(p, " \t");
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
		end--;
	}
	if ((na = digits(&p, 4, &a)) == 0 || (sep = *p++) == 0
	    || strchr("/-.", sep) == NULL) {
		return COSO_EDATE;
	}
	if ((nb = digits(&p, 2, &b)) == 0 || *p++ != sep
	    || (nc = digits(&p, 4, &c)) == 0 || p != end) {
		return COSO_EDATE;
	}
	if (na == 4 && sep == '-' && nb == 2 && nc == 2) {
		y = a, m = b, d = c; /* ISO */
	} else if (na <= 2 && nc == 4) {
		d = a, m = b, y = c; /* day first */
	} else {
		return COSO_EDATE;
	}
	if (!valid_ymd(y, m, d)) {
		return COSO_EDATE;
	}
	*out = (int32_t) (y * 10000 + m * 100 + d);
	return COSO_OK;
}

void
coso_date_format(char out[static 11], int32_t date)
{
	unsigned d = (unsigned) date % 100, m = (unsigned) date / 100 % 100;
	unsigned y = (unsigned) date / 10000 % 10000;

	out[0]  = (char) ('0' + d / 10);
	out[1]  = (char) ('0' + d % 10);
	out[2]  = '/';
	out[3]  = (char) ('0' + m / 10);
	out[4]  = (char) ('0' + m % 10);
	out[5]  = '/';
	out[6]  = (char) ('0' + y / 1000);
	out[7]  = (char) ('0' + y / 100 % 10);
	out[8]  = (char) ('0' + y / 10 % 10);
	out[9]  = (char) ('0' + y % 10);
	out[10] = 0;
}

int32_t
coso_date_of_ms(uint64_t ms)
{
	return coso_date_of_days((int64_t) ((ms + VN_OFFSET_MS) / MS_PER_DAY));
}

int32_t
coso_date_add(int32_t date, int64_t days)
{
	return coso_date_of_days(coso_days(date) + days);
}

int64_t
coso_date_diff(int32_t from, int32_t to)
{
	return coso_days(to) - coso_days(from);
}

int
coso_period_parse(const char *s, int32_t *first, int32_t *last)
{
	int y, q, n = 0;
	char h;

	if (s == NULL || strlen(s) < 4 || strspn(s, "0123456789") < 4
	    || sscanf(s, "%4d", &y) != 1 || y < 1900 || y > 9999) {
		return COSO_EPERIOD;
	}
	if (s[4] == 0) {
		*first = y * 10000 + 101;
		*last  = y * 10000 + 1231;
	} else if (sscanf(s + 4, "-Q%1d%n", &q, &n) == 1 && n == 3 && s[7] == 0
	    && q >= 1 && q <= 4) {
		*first = y * 10000 + (3 * q - 2) * 100 + 1;
		*last  = y * 10000 + 3 * q * 100 + days_in_month(y, 3 * q);
	} else if (sscanf(s + 4, "-H%c%n", &h, &n) == 1 && n == 3 && s[7] == 0
	    && (h == '1' || h == '2')) {
		*first = y * 10000 + (h == '1' ? 101 : 701);
		*last  = y * 10000 + (h == '1' ? 630 : 1231);
	} else {
		return COSO_EPERIOD;
	}
	return COSO_OK;
}
