/*
 * idcard.c - ID number and phone validation, normalisation and masking (see idcard.h).
 *
 * Everything here works on caller-provided buffers and reads nothing but its arguments, so it
 * is pure and thread-safe; the only clock is the now_ms the caller passes. Input lengths are
 * capped before any scan that copies (IDCARD_SCAN_MAX, PHONE_INPUT_MAX), so arbitrarily long
 * or hostile text costs a bounded amount of work and can never overflow an output buffer.
 * Error messages name the rule that failed and the offending part (a date, a province code),
 * never the whole number: they may end up in logs, and the number is personal data.
 */
#include "domain/idcard.h"

#include "base/error.h"
#include "base/timeutil.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* Longer input than this is not an ID number with some white space around it. */
#define IDCARD_SCAN_MAX 64
/* Longer input than this is not a phone number, however it is punctuated. */
#define PHONE_INPUT_MAX 64
/* Digits of the longest acceptable phone spelling: 0086 + 4 + 8 + 6 (extension). */
#define PHONE_DIGITS_MAX 32

/* Province-level codes of GB/T 2260 (first two digits of an ID number). 83 is used by the
 * residence permits of Taiwan residents (港澳台居民居住证, 2018), as 81 and 82 are for Hong
 * Kong and Macao residents. */
static const int idcard_provinces[] = {
    11, 12, 13, 14, 15,         /* 北京 天津 河北 山西 内蒙古 */
    21, 22, 23,                 /* 辽宁 吉林 黑龙江 */
    31, 32, 33, 34, 35, 36, 37, /* 上海 江苏 浙江 安徽 福建 江西 山东 */
    41, 42, 43, 44, 45, 46,     /* 河南 湖北 湖南 广东 广西 海南 */
    50, 51, 52, 53, 54,         /* 重庆 四川 贵州 云南 西藏 */
    61, 62, 63, 64, 65,         /* 陕西 甘肃 青海 宁夏 新疆 */
    71, 81, 82, 83,             /* 台湾 香港 澳门 (居住证: 台湾居民) */
};

/* ISO 7064 MOD 11-2 as GB 11643 states it: weight of position i is 2^(17-i) mod 11, and the
 * check character for a weighted sum s is idcard_check_chars[s mod 11]. */
static const int idcard_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char idcard_check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

#define CST_OFFSET_MIN (8 * 60) /* China Standard Time, UTC+8 all year */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int date_key(int y, int m, int d)
{
    return y * 10000 + m * 100 + d;
}

static int today_key(int64_t now_ms)
{
    return time_local_date_key(now_ms, CST_OFFSET_MIN);
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int idcard_normalize(const char *in, char out[IDCARD_BUF])
{
    size_t start = 0, end;
    out[0] = '\0';
    if (in == NULL)
        return ERR_INVALID;
    end = strnlen(in, IDCARD_SCAN_MAX + 1);
    if (end > IDCARD_SCAN_MAX)
        return ERR_INVALID;
    while (start < end && is_space(in[start]))
        start++;
    while (end > start && is_space(in[end - 1]))
        end--;
    if (end - start != IDCARD_LEN)
        return ERR_INVALID;
    memcpy(out, in + start, IDCARD_LEN);
    out[IDCARD_LEN] = '\0';
    if (out[IDCARD_LEN - 1] == 'x')
        out[IDCARD_LEN - 1] = 'X';
    return 0;
}

static int idcard_province_exists(int code)
{
    for (size_t i = 0; i < sizeof(idcard_provinces) / sizeof(idcard_provinces[0]); i++) {
        if (idcard_provinces[i] == code)
            return 1;
    }
    return 0;
}

int idcard_validate(const char *id, int64_t now_ms, struct idcard_info *info, struct errbuf *eb)
{
    int r = ERR_INVALID;
    char n[IDCARD_BUF];
    int y, m, d, sum = 0;

    if (info != NULL)
        memset(info, 0, sizeof(*info));
    if (id == NULL) {
        r = errbuf_set(eb, ERR_INVALID, "ID number is missing");
        goto out;
    }
    if (idcard_normalize(id, n) != 0) {
        size_t len = strnlen(id, IDCARD_SCAN_MAX + 1);
        if (len > IDCARD_SCAN_MAX)
            r = errbuf_set(eb, ERR_INVALID, "ID number must be 18 characters, not more than %d",
                           IDCARD_SCAN_MAX);
        else
            r = errbuf_set(eb, ERR_INVALID, "ID number must be 18 characters");
        goto out;
    }
    for (int i = 0; i < IDCARD_LEN - 1; i++) {
        if (!is_digit(n[i])) {
            r = errbuf_set(eb, ERR_INVALID,
                           "ID number: character %d must be a digit (only the last may be X)",
                           i + 1);
            goto out;
        }
    }
    if (!is_digit(n[IDCARD_LEN - 1]) && n[IDCARD_LEN - 1] != 'X') {
        r = errbuf_set(eb, ERR_INVALID, "ID number: the last character must be a digit or X");
        goto out;
    }
    if (!idcard_province_exists(digits_value(n, 2))) {
        r = errbuf_set(eb, ERR_INVALID, "ID number: no such province code %.2s", n);
        goto out;
    }
    y = digits_value(n + 6, 4);
    m = digits_value(n + 10, 2);
    d = digits_value(n + 12, 2);
    if (m < 1 || m > 12 || d < 1 || d > time_days_in_month(y, m)) {
        r = errbuf_set(eb, ERR_INVALID, "ID number: no such date %.8s", n + 6);
        goto out;
    }
    if (y < 1900) {
        r = errbuf_set(eb, ERR_INVALID, "ID number: birth date %.8s is before 1900", n + 6);
        goto out;
    }
    if (date_key(y, m, d) > today_key(now_ms)) {
        r = errbuf_set(eb, ERR_INVALID, "ID number: birth date %.8s is in the future", n + 6);
        goto out;
    }
    for (int i = 0; i < IDCARD_LEN - 1; i++)
        sum += (n[i] - '0') * idcard_weights[i];
    if (idcard_check_chars[sum % 11] != n[IDCARD_LEN - 1]) {
        r = errbuf_set(eb, ERR_INVALID, "ID number: the check digit should be %c",
                       idcard_check_chars[sum % 11]);
        goto out;
    }
    if (info != NULL) {
        memcpy(info->normalized, n, sizeof(info->normalized));
        memcpy(info->area_code, n, 6);
        info->area_code[6] = '\0';
        /* "YYYY-MM-DD" from the digits already checked. */
        memcpy(info->birth_date, n + 6, 4);
        info->birth_date[4] = '-';
        memcpy(info->birth_date + 5, n + 10, 2);
        info->birth_date[7] = '-';
        memcpy(info->birth_date + 8, n + 12, 2);
        info->birth_date[10] = '\0';
        info->sex = (n[16] - '0') % 2 == 1 ? 'M' : 'F';
    }
    r = 0;
out:
    return r;
}

/*
 * Phones. The input is scanned once into a digit string plus, for each digit, whether a dash
 * came right before it (a dash after a complete local number starts an extension) and the
 * position where an explicit extension marker (转, ext, x, #) was seen. The rest is decided on
 * the digits alone, so "+86 (757) 8612-3456" and "075786123456" normalise alike.
 */
struct phone_scan {
    char digits[PHONE_DIGITS_MAX + 1];
    unsigned char dash_before[PHONE_DIGITS_MAX + 1];
    size_t ndigits;
    size_t ext_at; /* index into digits where an explicit extension starts; SIZE_MAX if none */
    int has_plus;
};

/* Length of an extension marker at s (1 for '#' or 'x', 3 for "ext"/"转"), 0 if none. */
static size_t phone_ext_marker(const char *s)
{
    if ((s[0] == 'e' || s[0] == 'E') && (s[1] == 'x' || s[1] == 'X') &&
        (s[2] == 't' || s[2] == 'T'))
        return s[3] == '.' ? 4 : 3;
    if (s[0] == 'x' || s[0] == 'X' || s[0] == '#')
        return 1;
    if (strncmp(s, "\xe8\xbd\xac", 3) == 0) /* 转 */
        return 3;
    return 0;
}

static int phone_scan(const char *p, struct phone_scan *sc, struct errbuf *eb)
{
    size_t len = strnlen(p, PHONE_INPUT_MAX + 1), i = 0;
    int pending_dash = 0, in_paren = 0;

    memset(sc, 0, sizeof(*sc));
    sc->ext_at = SIZE_MAX;
    if (len > PHONE_INPUT_MAX)
        return errbuf_set(eb, ERR_INVALID, "phone number is longer than %d characters",
                          PHONE_INPUT_MAX);
    while (i < len && is_space(p[i]))
        i++;
    if (i < len && p[i] == '+') {
        sc->has_plus = 1;
        i++;
    }
    while (i < len) {
        char c = p[i];
        size_t marker;
        if (is_digit(c)) {
            if (sc->ndigits >= PHONE_DIGITS_MAX)
                return errbuf_set(eb, ERR_INVALID, "phone number has too many digits");
            sc->dash_before[sc->ndigits] = (unsigned char)pending_dash;
            sc->digits[sc->ndigits++] = c;
            pending_dash = 0;
            i++;
        } else if (c == '-') {
            pending_dash = 1;
            i++;
        } else if (is_space(c)) {
            i++;
        } else if (c == '(' && !in_paren && sc->ext_at == SIZE_MAX) {
            in_paren = 1;
            i++;
        } else if (c == ')' && in_paren == 1) {
            in_paren = 2;
            i++;
        } else if ((marker = phone_ext_marker(p + i)) != 0 && sc->ext_at == SIZE_MAX &&
                   sc->ndigits > 0) {
            sc->ext_at = sc->ndigits;
            pending_dash = 0;
            i += marker;
        } else {
            return errbuf_set(eb, ERR_INVALID,
                              "phone number may contain only digits, spaces, dashes, "
                              "parentheses, a leading + and an extension");
        }
    }
    if (in_paren == 1)
        return errbuf_set(eb, ERR_INVALID, "phone number has an unclosed parenthesis");
    if (sc->ndigits == 0)
        return errbuf_set(eb, ERR_INVALID, "phone number has no digits");
    if (sc->ext_at == sc->ndigits)
        return errbuf_set(eb, ERR_INVALID, "phone number: the extension has no digits");
    return 0;
}

/* Drop the first n digits of the scan (a country prefix), keeping the side tables aligned. */
static void phone_drop(struct phone_scan *sc, size_t n)
{
    memmove(sc->digits, sc->digits + n, sc->ndigits - n + 1);
    memmove(sc->dash_before, sc->dash_before + n, sc->ndigits - n);
    sc->ndigits -= n;
    if (sc->ext_at != SIZE_MAX)
        sc->ext_at = sc->ext_at >= n ? sc->ext_at - n : 0;
    if (sc->ndigits > 0)
        sc->dash_before[0] = 0;
}

/* Put the trunk 0 back in front of an area code written internationally ("+86 757 ..."). */
static void phone_add_trunk(struct phone_scan *sc)
{
    memmove(sc->digits + 1, sc->digits, sc->ndigits + 1);
    memmove(sc->dash_before + 1, sc->dash_before, sc->ndigits);
    sc->digits[0] = '0';
    sc->dash_before[0] = 0;
    sc->dash_before[1] = 0;
    sc->ndigits++;
    if (sc->ext_at != SIZE_MAX)
        sc->ext_at++;
}

static int phone_landline(const struct phone_scan *sc, char out[PHONE_BUF], struct errbuf *eb)
{
    const char *dg = sc->digits;
    size_t area_len, local_end, ext_len;

    if (sc->ndigits < 2 || dg[1] == '0')
        return errbuf_set(eb, ERR_INVALID, "phone number: no such area code");
    if (dg[1] == '1' || dg[1] == '2')
        area_len = 3;
    else
        area_len = 4;
    if (dg[1] == '1' && (sc->ndigits < 3 || dg[2] != '0'))
        return errbuf_set(eb, ERR_INVALID, "phone number: no such area code %.3s", dg);
    if (sc->ndigits <= area_len)
        return errbuf_set(eb, ERR_INVALID, "phone number: the local number is missing");
    if (sc->ext_at != SIZE_MAX && sc->ext_at <= area_len)
        return errbuf_set(eb, ERR_INVALID, "phone number: the local number is missing");
    if (dg[area_len] == '0' || dg[area_len] == '1')
        return errbuf_set(eb, ERR_INVALID,
                          "phone number: a local number cannot start with %c after area code "
                          "%.*s",
                          dg[area_len], (int)area_len, dg);
    /* The local number runs to the explicit marker, or else to a dash right after its 7th or
     * 8th digit, or else to the end; whatever follows is the extension. Digits running on
     * past 8 without a dash are a mistyped number, not an extension. */
    local_end = area_len;
    while (local_end < sc->ndigits && local_end != sc->ext_at) {
        size_t have = local_end - area_len;
        if (sc->ext_at == SIZE_MAX && (have == 7 || have == 8) && sc->dash_before[local_end])
            break;
        local_end++;
    }
    if (local_end - area_len < 7 || local_end - area_len > 8)
        return errbuf_set(eb, ERR_INVALID,
                          "phone number: the local number must have 7 or 8 digits, not %zu",
                          local_end - area_len);
    ext_len = sc->ndigits - local_end;
    if (ext_len > PHONE_EXT_MAX)
        return errbuf_set(eb, ERR_INVALID,
                          "phone number: an extension has at most %d digits; is this a "
                          "landline?",
                          PHONE_EXT_MAX);
    if (ext_len > 0)
        snprintf(out, PHONE_BUF, "%.*s-%.*s-%.*s", (int)area_len, dg, (int)(local_end - area_len),
                 dg + area_len, (int)ext_len, dg + local_end);
    else
        snprintf(out, PHONE_BUF, "%.*s-%.*s", (int)area_len, dg, (int)(local_end - area_len),
                 dg + area_len);
    return 0;
}

int phone_validate(const char *phone, char out[PHONE_BUF], struct errbuf *eb)
{
    int r = ERR_INVALID;
    struct phone_scan sc;
    int had_prefix = 0;
    char buf[PHONE_BUF];

    out[0] = '\0';
    if (phone == NULL) {
        r = errbuf_set(eb, ERR_INVALID, "phone number is missing");
        goto out;
    }
    if ((r = phone_scan(phone, &sc, eb)) != 0)
        goto out;
    /* Country prefix: +86, 0086, or a bare 86 (no mainland number starts with 8). */
    if (sc.has_plus) {
        if (sc.ndigits < 2 || strncmp(sc.digits, "86", 2) != 0 || sc.ext_at < 2) {
            r = errbuf_set(eb, ERR_INVALID,
                           "phone number: only mainland China numbers (+86) are accepted");
            goto out;
        }
        phone_drop(&sc, 2);
        had_prefix = 1;
    } else if (sc.ndigits >= 4 && strncmp(sc.digits, "0086", 4) == 0 &&
               (sc.ext_at == SIZE_MAX || sc.ext_at >= 4)) {
        phone_drop(&sc, 4);
        had_prefix = 1;
    } else if (strncmp(sc.digits, "86", 2) == 0 &&
               (sc.ext_at == SIZE_MAX ? sc.ndigits : sc.ext_at) >= 2 + 9) {
        /* A bare 86 only when a whole number follows it (at least 9 digits: "10" and 7), so
         * that a local number such as 86123456 is not mistaken for a prefix. */
        phone_drop(&sc, 2);
        had_prefix = 1;
    } else if (sc.ndigits >= 2 && strncmp(sc.digits, "00", 2) == 0) {
        r = errbuf_set(eb, ERR_INVALID,
                       "phone number: only mainland China numbers (+86) are accepted");
        goto out;
    }
    if (sc.ndigits == 0) {
        r = errbuf_set(eb, ERR_INVALID, "phone number: nothing follows the country code");
        goto out;
    }
    /* After a country code, "10..." is Beijing without its trunk 0: no mobile starts 10. */
    if (sc.digits[0] == '1' && !(had_prefix && sc.ndigits > 1 && sc.digits[1] == '0')) {
        if (sc.ext_at != SIZE_MAX) {
            r = errbuf_set(eb, ERR_INVALID, "phone number: a mobile number has no extension");
            goto out;
        }
        if (sc.ndigits != 11) {
            r = errbuf_set(eb, ERR_INVALID, "phone number: a mobile number has 11 digits, not %zu",
                           sc.ndigits);
            goto out;
        }
        if (sc.digits[1] < '3') {
            r = errbuf_set(eb, ERR_INVALID, "phone number: no mobile number starts with %.2s",
                           sc.digits);
            goto out;
        }
        memcpy(buf, sc.digits, sc.ndigits + 1);
    } else {
        if (sc.digits[0] != '0') {
            if (!had_prefix) {
                r = errbuf_set(eb, ERR_INVALID,
                               "phone number must be a mobile (1xx) or a landline with its area "
                               "code (0xxx)");
                goto out;
            }
            phone_add_trunk(&sc);
        }
        if ((r = phone_landline(&sc, buf, eb)) != 0)
            goto out;
    }
    memcpy(out, buf, strlen(buf) + 1);
    r = 0;
out:
    return r;
}

/* Masking. */

void mask_idcard(const char *id, char out[IDCARD_BUF])
{
    memset(out, '*', IDCARD_LEN);
    out[IDCARD_LEN] = '\0';
    if (id == NULL) {
        out[0] = '\0';
        return;
    }
    if (strnlen(id, IDCARD_LEN + 1) != IDCARD_LEN)
        return;
    memcpy(out, id, 4);
    memcpy(out + IDCARD_LEN - 4, id + IDCARD_LEN - 4, 4);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
    }
    return 1;
}

void mask_phone(const char *phone, char *out, size_t size)
{
    size_t len, keep_from, kept = 0, ndigits = 0;
    const char *dash1, *dash2;

    if (size == 0)
        return;
    out[0] = '\0';
    if (phone == NULL)
        return;
    len = strlen(phone);
    if (len + 1 > size)
        return;
    memcpy(out, phone, len + 1);
    if (len == 11 && phone[0] == '1' && all_digits(phone, len)) {
        memset(out + 3, '*', 4);
        return;
    }
    dash1 = strchr(phone, '-');
    if (phone[0] == '0' && dash1 != NULL && (dash1 - phone == 3 || dash1 - phone == 4) &&
        all_digits(phone, (size_t)(dash1 - phone))) {
        const char *local = dash1 + 1;
        size_t local_len;
        dash2 = strchr(local, '-');
        local_len = dash2 != NULL ? (size_t)(dash2 - local) : strlen(local);
        if (local_len >= 7 && local_len <= 8 && all_digits(local, local_len) &&
            (dash2 == NULL ||
             (strlen(dash2 + 1) >= 1 && all_digits(dash2 + 1, strlen(dash2 + 1))))) {
            size_t at = (size_t)(local - phone);
            memset(out + at, '*', local_len - 2);
            if (dash2 != NULL)
                memset(out + (dash2 - phone) + 1, '*', strlen(dash2 + 1));
            return;
        }
    }
    /* Not a normalised phone: keep the punctuation and, when there are enough digits that
     * two of them reveal little, the last two. */
    for (size_t i = 0; i < len; i++)
        ndigits += is_digit(phone[i]) ? 1 : 0;
    keep_from = len;
    while (ndigits > 4 && keep_from > 0 && kept < 2) {
        keep_from--;
        if (is_digit(phone[keep_from]))
            kept++;
    }
    for (size_t i = 0; i < keep_from; i++) {
        if (is_digit(out[i]))
            out[i] = '*';
    }
}

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 if s does not start one (bad
 * lead byte, truncated, overlong, surrogate, beyond U+10FFFF). s is NUL-terminated, and NUL
 * is never a continuation byte, so the look-ahead stops at the end of the string. */
static size_t utf8_seq_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* Separators kept as they are: ASCII space and the middle dot U+00B7 of names such as
 * "阿卜杜拉·买买提". */
static int name_is_separator(const unsigned char *s, size_t n)
{
    return (n == 1 && s[0] == ' ') || (n == 2 && s[0] == 0xC2 && s[1] == 0xB7);
}

void mask_name(const char *utf8_name, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)utf8_name;
    size_t i = 0, o = 0, chars = 0;
    int kept_first = 0;

    if (size == 0)
        return;
    out[0] = '\0';
    if (s == NULL || strlen(utf8_name) + 1 > size)
        return;
    /* Count the characters that are not separators: with only one, keeping the first would
     * show the whole name. */
    while (s[i] != '\0') {
        size_t n = utf8_seq_len(s + i);
        if (n == 0)
            n = 1;
        if (!name_is_separator(s + i, n))
            chars++;
        i += n;
    }
    i = 0;
    while (s[i] != '\0') {
        size_t n = utf8_seq_len(s + i);
        if (n != 0 && name_is_separator(s + i, n)) {
            memcpy(out + o, s + i, n);
            o += n;
        } else if (n != 0 && !kept_first && chars > 1) {
            memcpy(out + o, s + i, n);
            o += n;
            kept_first = 1;
        } else {
            out[o++] = '*';
            kept_first = 1;
        }
        i += n != 0 ? n : 1;
    }
    out[o] = '\0';
    assert(o <= i);
}

char idcard_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < IDCARD_LEN - 1; i++) {
        if (!is_digit(first17[i]))
            return '?';
        sum += (first17[i] - '0') * idcard_weights[i];
    }
    return idcard_check_chars[sum % 11];
}
