/*
 * idcard.h - resident ID numbers and phone numbers: validation, normalisation and masking
 * (SPEC section 3: personal data is validated on the way in and masked on the way out).
 *
 * An ID number is the 18-character citizen identification number of GB 11643-1999: 6 digits
 * of area code, 8 of birth date, 3 of sequence (odd for men, even for women) and an ISO 7064
 * MOD 11-2 check character (0-9 or X). The 15-digit first-generation numbers went out of use
 * in 2013 and are refused. A phone is a mainland mobile (11 digits, 13x-19x) or a landline
 * with its area code ("0757-86123456", optional extension).
 *
 * Pure functions, no I/O, no allocation; thread-safe. Encryption at rest and the keyed
 * lookup hash are base/secret.h's job: callers normalise here first, then encrypt or hash the
 * normalised form, so the same person typed two ways finds the same row.
 */
#ifndef GRIDGOV_DOMAIN_IDCARD_H
#define GRIDGOV_DOMAIN_IDCARD_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define IDCARD_LEN    18 /* characters of an ID number */
#define IDCARD_BUF    (IDCARD_LEN + 1)
#define PHONE_BUF     21 /* longest normalised phone "0757-86123456-123456" plus NUL */
#define PHONE_EXT_MAX 6  /* digits of a landline extension */

/* What an ID number says about its holder. */
struct idcard_info {
    char normalized[IDCARD_BUF]; /* the number as stored: trimmed, 'X' upper case */
    char area_code[7];           /* "440605": where the number was first issued */
    char birth_date[11];         /* "1990-01-01" */
    char sex;                    /* 'M' (odd sequence) or 'F' (even sequence) */
};

/*
 * Trim leading and trailing ASCII white space from in and upper-case a trailing 'x', writing
 * the result to out (IDCARD_BUF bytes). Only the shape is checked: 0 if the trimmed text is 18
 * characters, ERR_INVALID otherwise (out is then ""). Use idcard_validate for the full rules;
 * this is the form secret_index_hash and secret_encrypt are given.
 */
int idcard_normalize(const char *in, char out[IDCARD_BUF]);

/*
 * Validate an ID number (white space around it is ignored, a lower-case 'x' accepted):
 * 18 characters; the first 17 digits; a province code that exists (11-15, 21-23, 31-37,
 * 41-46, 50-54, 61-65, 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits of Taiwan
 * residents); a birth date that is a real calendar date from 1900-01-01 to today; the check
 * character. "Today" is the calendar day of now_ms (milliseconds since the epoch) in China
 * Standard Time (UTC+8, no daylight saving), where the numbers are issued.
 * On success fills info (may be NULL) and returns 0. Otherwise returns ERR_INVALID with the
 * reason in eb (may be NULL): "must be 18 characters", "no such date 19990230", "the check
 * digit should be 7", ... Messages never repeat the whole number. info is cleared on entry.
 */
int idcard_validate(const char *id, int64_t now_ms, struct idcard_info *info, struct errbuf *eb);

/*
 * The check character of an ID number whose first 17 characters are first17 (digits only;
 * anything else gives '?'). For generated data (the demo city, benchmarks) and tests.
 */
char idcard_check_char(const char *first17);

/*
 * Validate a phone number and write its normalised form to out (PHONE_BUF bytes; "" on
 * failure). Accepted:
 *   - mobiles: 11 digits 13x-19x, optionally after +86, 0086 or 86, with spaces or dashes
 *     anywhere: "+86 138-0013-8000" -> "13800138000";
 *   - landlines: area code (010, 020-029: 3 digits; any other 0xxx: 4 digits) and a local
 *     number of 7 or 8 digits not starting with 0 or 1, with spaces, dashes or parentheses;
 *     after +86/0086 the trunk 0 may be left out ("+86 757 8612 3456"). An extension of 1-6
 *     digits follows a marker (转, ext, x, #) or a dash after a complete local number:
 *     "(0757) 8612-3456 转 12" -> "0757-86123456-12".
 * The normalised form validates to itself. Returns 0, or ERR_INVALID with the reason in eb.
 */
int phone_validate(const char *phone, char out[PHONE_BUF], struct errbuf *eb);

/*
 * Masking for roles that may not see personal data. Every mask function writes a
 * NUL-terminated string no longer than its input (so strlen(input) + 1 bytes always suffice),
 * writes "" when out is too small or the input is NULL, and never reveals the whole value.
 */

/* An 18-character ID keeps its first 4 and last 4 characters: "4406**********1234". Anything
 * else (wrong length, not normalised) becomes 18 '*', revealing nothing, not even the length. */
void mask_idcard(const char *id, char out[IDCARD_BUF]);

/* A normalised mobile keeps its first 3 and last 4 digits: "138****8000"; a landline keeps
 * its area code and the last 2 digits of the local number, and masks the extension:
 * "0757-******56", "0757-******56-**". Any other text keeps every non-digit and, if it has
 * more than 4 digits, its last 2; all other digits become '*'. */
void mask_phone(const char *phone, char *out, size_t size);

/* A name keeps its first character (the surname, for Chinese names) and replaces each other
 * character (UTF-8 code point, not byte) with one '*': "陈小明" -> "陈**", "John Smith" ->
 * "J*** *****". Spaces and the middle dot of transliterated names ("·") are kept as
 * separators. A one-character name becomes "*": the whole name is never shown. Invalid UTF-8
 * bytes count as one character each and are never copied. */
void mask_name(const char *utf8_name, char *out, size_t size);

#endif
