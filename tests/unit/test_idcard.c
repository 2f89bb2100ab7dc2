/*
 * test_idcard.c - ID number and phone validation, normalisation and masking. Valid ID numbers
 * are built here with an independent check-digit implementation (weights as 2^(17-i) mod 11,
 * check value (12 - sum mod 11) mod 11), so a wrong table in idcard.c cannot agree with itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/idcard.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)

/* Days since 1970-01-01 of a civil date, by counting: independent of idcard.c's arithmetic. */
static int64_t days_since_epoch(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0) ? 366 : 365;
    for (int mm = 1; mm < m; mm++) {
        days += mdays[mm - 1];
        if (mm == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
            days++;
    }
    return days + d - 1;
}

/* 2026-03-21T00:00:00Z, which is 08:00 on 21 March in China. */
static int64_t now_ms(void)
{
    return days_since_epoch(2026, 3, 21) * DAY_MS;
}

static char check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int weight = 1;
        for (int k = 0; k < 17 - i; k++)
            weight = weight * 2 % 11;
        sum += (first17[i] - '0') * weight;
    }
    int v = (12 - sum % 11) % 11;
    return v == 10 ? 'X' : (char)('0' + v);
}

/* A complete ID number from area, birth date and sequence, with the right check character. */
static void make_id(char out[IDCARD_BUF], const char *area, const char *birth, const char *seq)
{
    snprintf(out, IDCARD_BUF, "%.6s%.8s%.3s?", area, birth, seq);
    out[17] = check_char(out);
}

/* Same, with a check character that is wrong. */
static void make_bad_check(char out[IDCARD_BUF], const char *area, const char *birth,
                           const char *seq)
{
    make_id(out, area, birth, seq);
    out[17] = out[17] == '0' ? '1' : '0';
}

static void expect_invalid(const char *id, int64_t now, const char *needle)
{
    struct errbuf eb = {{0}};
    struct idcard_info info;
    int r = idcard_validate(id, now, &info, &eb);
    if (r != ERR_INVALID || strstr(eb.msg, needle) == NULL)
        fail_msg("'%s': got %d '%s', expected ERR_INVALID mentioning '%s'", id ? id : "(null)", r,
                 eb.msg, needle);
    assert_int_equal(info.sex, 0);
    assert_string_equal(info.normalized, "");
}

static void test_standard_examples(void **state)
{
    struct idcard_info info;
    (void)state;
    /* The examples of GB 11643-1999 itself. */
    assert_int_equal(idcard_validate("11010519491231002X", now_ms(), &info, NULL), 0);
    assert_string_equal(info.normalized, "11010519491231002X");
    assert_string_equal(info.area_code, "110105");
    assert_string_equal(info.birth_date, "1949-12-31");
    assert_int_equal(info.sex, 'F');
    assert_int_equal(idcard_validate("440524188001010014", now_ms(), &info, NULL), ERR_INVALID);
    /* ... whose second example is born in 1880, before the range we accept. */
    assert_int_equal(check_char("44052418800101001"), '4');
}

static void test_valid_numbers_and_extraction(void **state)
{
    static const struct {
        const char *area, *birth, *seq;
        const char *date;
        char sex;
    } rows[] = {
        {"440605", "19900101", "123", "1990-01-01", 'M'},
        {"440605", "19900101", "124", "1990-01-01", 'F'},
        {"110101", "20000229", "001", "2000-02-29", 'M'}, /* leap year by the 400 rule */
        {"310115", "19000101", "000", "1900-01-01", 'F'}, /* first accepted day */
        {"650102", "19841231", "999", "1984-12-31", 'M'},
        {"820000", "20260321", "002", "2026-03-21", 'F'}, /* born today */
        {"810000", "19970701", "015", "1997-07-01", 'M'},
        {"830000", "19880808", "018", "1988-08-08", 'F'},
        {"710000", "19491001", "011", "1949-10-01", 'M'},
        {"460100", "19960229", "022", "1996-02-29", 'F'},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char id[IDCARD_BUF];
        struct idcard_info info;
        struct errbuf eb = {{0}};
        make_id(id, rows[i].area, rows[i].birth, rows[i].seq);
        if (idcard_validate(id, now_ms(), &info, &eb) != 0)
            fail_msg("%s refused: %s", id, eb.msg);
        assert_string_equal(info.normalized, id);
        assert_memory_equal(info.area_code, rows[i].area, 7);
        assert_string_equal(info.birth_date, rows[i].date);
        assert_int_equal(info.sex, rows[i].sex);
        /* info may be NULL. */
        assert_int_equal(idcard_validate(id, now_ms(), NULL, NULL), 0);
    }
}

static void test_every_check_character(void **state)
{
    int seen[11] = {0};
    char id[IDCARD_BUF];
    (void)state;
    /* Walk sequence numbers until every check value 0-9 and X has come up, and verify that
     * exactly one of the 11 possible last characters is accepted each time. */
    for (int seq = 0; seq < 200; seq++) {
        char s[12];
        snprintf(s, sizeof(s), "%03d", seq);
        make_id(id, "440605", "19900101", s);
        seen[id[17] == 'X' ? 10 : id[17] - '0'] = 1;
        assert_int_equal(idcard_check_char(id), id[17]); /* the generator's helper agrees */
        for (const char *c = "0123456789X"; *c != '\0'; c++) {
            char try[IDCARD_BUF];
            memcpy(try, id, sizeof(try));
            try[17] = *c;
            assert_int_equal(idcard_validate(try, now_ms(), NULL, NULL),
                             *c == id[17] ? 0 : ERR_INVALID);
        }
    }
    for (int i = 0; i < 11; i++)
        assert_true(seen[i]);
    assert_int_equal(idcard_check_char("44060519900101a01"), '?');
}

static void test_lowercase_x_and_spaces(void **state)
{
    char id[IDCARD_BUF], lower[IDCARD_BUF], padded[40], norm[IDCARD_BUF];
    struct idcard_info info;
    int seq = 0;
    (void)state;
    do {
        char s[12];
        snprintf(s, sizeof(s), "%03d", seq++);
        make_id(id, "440605", "19900101", s);
    } while (id[17] != 'X');
    memcpy(lower, id, sizeof(lower));
    lower[17] = 'x';
    assert_int_equal(idcard_validate(lower, now_ms(), &info, NULL), 0);
    assert_string_equal(info.normalized, id);
    snprintf(padded, sizeof(padded), "  \t%s \n", lower);
    assert_int_equal(idcard_validate(padded, now_ms(), &info, NULL), 0);
    assert_string_equal(info.normalized, id);

    assert_int_equal(idcard_normalize(padded, norm), 0);
    assert_string_equal(norm, id);
    assert_int_equal(idcard_normalize(id, norm), 0);
    assert_string_equal(norm, id);
    assert_int_equal(idcard_normalize("12345", norm), ERR_INVALID);
    assert_string_equal(norm, "");
    assert_int_equal(idcard_normalize(NULL, norm), ERR_INVALID);
    assert_int_equal(idcard_normalize("4406 0519 9001 0112 34", norm), ERR_INVALID);
    /* Only the last character is upper-cased. */
    assert_int_equal(idcard_normalize("x4060519900101123x", norm), 0);
    assert_string_equal(norm, "x4060519900101123X");
}

static void test_invalid_numbers(void **state)
{
    char id[IDCARD_BUF], buf[128];
    (void)state;
    expect_invalid(NULL, now_ms(), "missing");
    expect_invalid("", now_ms(), "must be 18 characters");
    expect_invalid("44060519900101123", now_ms(), "must be 18 characters");
    expect_invalid("4406051990010112345", now_ms(), "must be 18 characters");
    expect_invalid("440605900101123", now_ms(), "must be 18 characters"); /* 15-digit card */
    memset(buf, '1', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    expect_invalid(buf, now_ms(), "must be 18 characters");

    expect_invalid("44O605199001011234", now_ms(), "character 3 must be a digit");
    expect_invalid("4406051990010112X4", now_ms(), "character 17 must be a digit");
    expect_invalid("44060519900101123Y", now_ms(), "last character must be a digit or X");
    expect_invalid("4406 5199001011234", now_ms(), "character 5 must be a digit");
    expect_invalid("44060519900101123\xe4", now_ms(), "last character");

    static const char *bad_provinces[] = {"00", "10", "16", "20", "24", "30", "38",
                                          "40", "47", "49", "55", "60", "66", "70",
                                          "72", "80", "84", "90", "91", "99"};
    for (size_t i = 0; i < sizeof(bad_provinces) / sizeof(bad_provinces[0]); i++) {
        char area[7];
        snprintf(area, sizeof(area), "%s0101", bad_provinces[i]);
        make_id(id, area, "19900101", "123");
        snprintf(buf, sizeof(buf), "no such province code %s", bad_provinces[i]);
        expect_invalid(id, now_ms(), buf);
    }

    static const char *bad_dates[] = {"19990230", "19990229", "19000229", "21000229", "19901301",
                                      "19900001", "19900100", "19900132", "19900431", "19900631",
                                      "19900931", "19901131", "00000000"};
    for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
        make_id(id, "440605", bad_dates[i], "123");
        snprintf(buf, sizeof(buf), "no such date %s", bad_dates[i]);
        expect_invalid(id, now_ms(), buf);
    }

    make_id(id, "440605", "18991231", "123");
    expect_invalid(id, now_ms(), "before 1900");
    make_id(id, "440605", "20260322", "123");
    expect_invalid(id, now_ms(), "birth date 20260322 is in the future");
    make_id(id, "440605", "20990101", "123");
    expect_invalid(id, now_ms(), "in the future");

    make_bad_check(id, "440605", "19900101", "123");
    make_id(buf, "440605", "19900101", "123");
    snprintf(buf + 40, 40, "the check digit should be %c", buf[17]);
    expect_invalid(id, now_ms(), buf + 40);
}

static void test_today_is_china_standard_time(void **state)
{
    char id[IDCARD_BUF];
    int64_t midnight_cst = (days_since_epoch(2026, 3, 21) * DAY_MS) - 8LL * 3600 * 1000;
    (void)state;
    make_id(id, "440605", "20260321", "123");
    /* 21 March 00:00 in Beijing is 20 March 16:00 UTC: born "today" already. */
    assert_int_equal(idcard_validate(id, midnight_cst, NULL, NULL), 0);
    assert_int_equal(idcard_validate(id, midnight_cst - 1, NULL, NULL), ERR_INVALID);
    /* Far past and far future clocks do not overflow. */
    assert_int_equal(idcard_validate(id, INT64_MIN, NULL, NULL), ERR_INVALID);
    assert_int_equal(idcard_validate(id, INT64_MAX, NULL, NULL), 0);
    assert_int_equal(idcard_validate(id, 0, NULL, NULL), ERR_INVALID);
}

struct phone_row {
    const char *in;
    const char *out;
};

static void test_phones_good(void **state)
{
    static const struct phone_row rows[] = {
        {"13800138000", "13800138000"},
        {"138 0013 8000", "13800138000"},
        {"138-0013-8000", "13800138000"},
        {"  19912345678 ", "19912345678"},
        {"+8613800138000", "13800138000"},
        {"+86 138 0013 8000", "13800138000"},
        {"+86-138-0013-8000", "13800138000"},
        {"008613800138000", "13800138000"},
        {"0086 138 0013 8000", "13800138000"},
        {"86-13800138000", "13800138000"},
        {"8613800138000", "13800138000"},
        {"0757-86123456", "0757-86123456"},
        {"075786123456", "0757-86123456"},
        {"0757 8612 3456", "0757-86123456"},
        {"(0757) 8612-3456", "0757-86123456"},
        {"0757-8612-3456", "0757-86123456"},
        {"010-62345678", "010-62345678"},
        {"01062345678", "010-62345678"},
        {"020-87654321", "020-87654321"},
        {"0310-7654321", "0310-7654321"},
        {"+86 757 8612 3456", "0757-86123456"},
        {"+86 10 6234 5678", "010-62345678"},
        {"0086-757-86123456", "0757-86123456"},
        {"+86 (0757) 86123456", "0757-86123456"},
        {"0757-86123456-123", "0757-86123456-123"},
        {"0757-86123456 转 12", "0757-86123456-12"},
        {"0757-86123456转12", "0757-86123456-12"},
        {"0757-86123456 ext. 123456", "0757-86123456-123456"},
        {"0757-86123456 EXT 9", "0757-86123456-9"},
        {"0757-86123456x88", "0757-86123456-88"},
        {"0757-86123456#88", "0757-86123456-88"},
        {"010-6234567-8", "010-6234567-8"},
        {"010-6234567 转 8", "010-6234567-8"},
        {"0757 8612345 转 1", "0757-8612345-1"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[PHONE_BUF], again[PHONE_BUF];
        struct errbuf eb = {{0}};
        if (phone_validate(rows[i].in, out, &eb) != 0)
            fail_msg("'%s' refused: %s", rows[i].in, eb.msg);
        if (strcmp(out, rows[i].out) != 0)
            fail_msg("'%s' -> '%s', expected '%s'", rows[i].in, out, rows[i].out);
        /* The normalised form is a fixed point. */
        assert_int_equal(phone_validate(out, again, NULL), 0);
        assert_string_equal(again, out);
    }
}

static void test_phones_bad(void **state)
{
    static const struct phone_row rows[] = {
        {NULL, "missing"},
        {"", "no digits"},
        {"   ", "no digits"},
        {"-- ()", "no digits"},
        {"1380013800", "11 digits, not 10"},
        {"138001380000", "11 digits, not 12"},
        {"12800138000", "no mobile number starts with 12"},
        {"10800138000", "no mobile number starts with 10"},
        {"13800138000 转 1", "no extension"},
        {"138a0013800", "only digits"},
        {"+1 202 555 0100", "mainland"},
        {"+852 2123 4567", "mainland"},
        {"001 202 555 0100", "mainland"},
        {"+86", "nothing follows"},
        {"86", "must be a mobile"},
        {"+", "no digits"},
        {"86123456", "landline with its area code"},
        {"2345678", "landline with its area code"},
        {"0757-823456", "7 or 8 digits, not 6"},
        {"0757-8612-34567", "7 or 8 digits, not 9"},
        {"075786123456123", "7 or 8 digits, not 11"},
        {"0757 86123456 123", "7 or 8 digits, not 11"},
        {"0757-0123456", "cannot start with 0"},
        {"0757-1123456", "cannot start with 1"},
        {"011-12345678", "no such area code 011"},
        {"0", "no such area code"},
        {"0757", "local number is missing"},
        {"0757 转 12", "local number is missing"},
        {"0757-86123456-1234567", "at most 6 digits"},
        {"0757-86123456 转", "extension has no digits"},
        {"0757-86123456 转 1 转 2", "only digits"},
        {"(0757 86123456", "unclosed parenthesis"},
        {"0757) 86123456", "only digits"},
        {"((0757)) 86123456", "only digits"},
        {"0757-86123456\n; DROP TABLE", "only digits"},
        {"138\xe8"
         "00138000",
         "only digits"},
        {"1234567890123456789012345678901234", "too many digits"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[PHONE_BUF] = "junk";
        struct errbuf eb = {{0}};
        int r = phone_validate(rows[i].in, out, &eb);
        if (r != ERR_INVALID || strstr(eb.msg, rows[i].out) == NULL)
            fail_msg("'%s': got %d '%s', expected an error mentioning '%s'",
                     rows[i].in ? rows[i].in : "(null)", r, eb.msg, rows[i].out);
        assert_string_equal(out, "");
    }
    char longer[200];
    memset(longer, ' ', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer + 100, "13800138000", 11);
    assert_int_equal(phone_validate(longer, (char[PHONE_BUF]){0}, NULL), ERR_INVALID);
}

static void test_mask_idcard(void **state)
{
    char out[IDCARD_BUF];
    (void)state;
    mask_idcard("440605199001011234", out);
    assert_string_equal(out, "4406**********1234");
    mask_idcard("11010519491231002X", out);
    assert_string_equal(out, "1101**********002X");
    mask_idcard("440605900101123", out);
    assert_string_equal(out, "******************");
    mask_idcard("4406051990010112345", out);
    assert_string_equal(out, "******************");
    mask_idcard("", out);
    assert_string_equal(out, "******************");
    mask_idcard(NULL, out);
    assert_string_equal(out, "");
}

static void test_mask_phone(void **state)
{
    static const struct phone_row rows[] = {
        {"13800138000", "138****8000"},
        {"0757-86123456", "0757-******56"},
        {"010-1234567", "010-*****67"},
        {"0757-86123456-123", "0757-******56-***"},
        {"+86 138 0013 8000", "+** *** **** **00"},
        {"12", "**"},
        {"12345", "***45"},
        {"abc", "abc"},
        {"", ""},
    };
    char out[64];
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mask_phone(rows[i].in, out, sizeof(out));
        assert_string_equal(out, rows[i].out);
    }
    /* Exactly enough room, one byte too few, none. */
    mask_phone("13800138000", out, 12);
    assert_string_equal(out, "138****8000");
    mask_phone("13800138000", out, 11);
    assert_string_equal(out, "");
    out[0] = 'z';
    mask_phone("13800138000", out, 0);
    assert_int_equal(out[0], 'z');
    mask_phone(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_mask_name(void **state)
{
    static const struct phone_row rows[] = {
        {"陈小明", "陈**"},
        {"张三", "张*"},
        {"欧阳娜娜", "欧***"}, /* compound surnames are not told apart */
        {"王", "*"},
        {"", ""},
        {"John Smith", "J*** *****"},
        {"阿卜杜拉·买买提", "阿***·***"},
        {"Zoë", "Z**"},
        {"𠀋仔", "𠀋*"},        /* a 4-byte character as the surname */
        {"\xff\xfe", "**"},     /* invalid bytes are never copied */
        {"陈\xe5\xb0", "陈**"}, /* a truncated sequence counts byte by byte */
        {"\xe5\xb0明", "***"},
        {"\xc0\xaf", "**"},      /* overlong '/' */
        {"\xed\xa0\x80", "***"}, /* a surrogate */
        {"A", "*"},
        {" 陈 ", " * "},
    };
    char out[64];
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        mask_name(rows[i].in, out, sizeof(out));
        if (strcmp(out, rows[i].out) != 0)
            fail_msg("mask_name('%s') = '%s', expected '%s'", rows[i].in, out, rows[i].out);
        assert_true(strlen(out) <= strlen(rows[i].in));
    }
    mask_name("陈小明", out, 10);
    assert_string_equal(out, "陈**");
    mask_name("陈小明", out, 9);
    assert_string_equal(out, "");
    mask_name(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_examples),
        cmocka_unit_test(test_valid_numbers_and_extraction),
        cmocka_unit_test(test_every_check_character),
        cmocka_unit_test(test_lowercase_x_and_spaces),
        cmocka_unit_test(test_invalid_numbers),
        cmocka_unit_test(test_today_is_china_standard_time),
        cmocka_unit_test(test_phones_good),
        cmocka_unit_test(test_phones_bad),
        cmocka_unit_test(test_mask_idcard),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_mask_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
