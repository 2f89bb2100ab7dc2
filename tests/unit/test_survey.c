/*
 * test_survey.c - questionnaire validation, answer parsing and the weighted scores of a
 * response (domain/survey.c) on hand-computed examples (docs/INDICATORS.md, "Surveys").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/survey.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* q1 rating, security, weight 2; q2 yes/no, security, weight 1 (yes 100, no 0); q3 choice,
 * satisfaction, weight 1 (很满意 100, 满意 75, 不满意 0); q4 rating, satisfaction, weight 0. */
static struct survey_def *example(void)
{
    struct survey_def *d = calloc(1, sizeof(*d));
    snprintf(d->title, sizeof(d->title), "2026年第二季度群众安全感和满意度调查");
    d->n_questions = 4;
    snprintf(d->q[0].id, sizeof(d->q[0].id), "q1");
    snprintf(d->q[0].text, sizeof(d->q[0].text), "您觉得本社区治安状况如何？");
    d->q[0].type = SURVEY_RATING;
    d->q[0].dimension = SURVEY_SECURITY;
    d->q[0].weight = 2;
    snprintf(d->q[1].id, sizeof(d->q[1].id), "q2");
    snprintf(d->q[1].text, sizeof(d->q[1].text), "夜间独自出行是否感到安全？");
    d->q[1].type = SURVEY_YESNO;
    d->q[1].dimension = SURVEY_SECURITY;
    d->q[1].weight = 1;
    survey_question_set_yesno(&d->q[1]);
    snprintf(d->q[2].id, sizeof(d->q[2].id), "q3");
    snprintf(d->q[2].text, sizeof(d->q[2].text), "对网格员的服务是否满意？");
    d->q[2].type = SURVEY_CHOICE;
    d->q[2].dimension = SURVEY_SATISFACTION;
    d->q[2].weight = 1;
    d->q[2].n_options = 3;
    snprintf(d->q[2].option[0], sizeof(d->q[2].option[0]), "很满意");
    snprintf(d->q[2].option[1], sizeof(d->q[2].option[1]), "满意");
    snprintf(d->q[2].option[2], sizeof(d->q[2].option[2]), "不满意");
    d->q[2].option_score[0] = 100;
    d->q[2].option_score[1] = 75;
    d->q[2].option_score[2] = 0;
    snprintf(d->q[3].id, sizeof(d->q[3].id), "q4");
    snprintf(d->q[3].text, sizeof(d->q[3].text), "总体评价");
    d->q[3].type = SURVEY_RATING;
    d->q[3].dimension = SURVEY_SATISFACTION;
    d->q[3].weight = 0;
    return d;
}

static void test_valid(void **state)
{
    struct survey_def *d = example();
    (void)state;
    assert_int_equal(survey_validate(d, NULL), 0);
    assert_int_equal(survey_question_index(d, "q3"), 2);
    assert_int_equal(survey_question_index(d, "q9"), -1);
    free(d);
}

static void expect_invalid(struct survey_def *d, const char *needle)
{
    struct errbuf eb = {{0}};
    assert_int_equal(survey_validate(d, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, needle));
    free(d);
}

static void test_invalid(void **state)
{
    struct survey_def *d;
    (void)state;
    d = example();
    d->title[0] = '\0';
    expect_invalid(d, "title");
    d = example();
    snprintf(d->q[1].id, sizeof(d->q[1].id), "q1");
    expect_invalid(d, "repeated");
    d = example();
    snprintf(d->q[1].id, sizeof(d->q[1].id), "Q2");
    expect_invalid(d, "question 2");
    d = example();
    d->q[2].n_options = 1;
    expect_invalid(d, "options");
    d = example();
    d->q[2].option_score[1] = 101;
    expect_invalid(d, "score of option 2");
    d = example();
    snprintf(d->q[2].option[2], sizeof(d->q[2].option[2]), "满意");
    expect_invalid(d, "repeated");
    d = example();
    d->q[1].n_options = 3;
    expect_invalid(d, "options");
    d = example();
    d->q[0].n_options = 2;
    expect_invalid(d, "no options");
    d = example();
    d->q[0].weight = d->q[1].weight = d->q[2].weight = 0;
    expect_invalid(d, "all be 0");
    d = example();
    d->q[0].weight = -1;
    expect_invalid(d, "weight");
    d = example();
    d->q[3].text[0] = '\0';
    expect_invalid(d, "no text");
    d = example();
    d->n_questions = 0;
    expect_invalid(d, "questions");
}

static void test_parse_answers(void **state)
{
    struct survey_def *d = example();
    int a = 99;
    (void)state;
    assert_int_equal(survey_answer_parse(&d->q[0], "3", &a), 0);
    assert_int_equal(a, 3);
    assert_int_equal(survey_answer_parse(&d->q[0], "", &a), 0);
    assert_int_equal(a, SURVEY_UNANSWERED);
    assert_int_equal(survey_answer_parse(&d->q[0], "0", &a), ERR_INVALID);
    assert_int_equal(survey_answer_parse(&d->q[0], "6", &a), ERR_INVALID);
    assert_int_equal(survey_answer_parse(&d->q[0], "3x", &a), ERR_INVALID);
    assert_int_equal(survey_answer_parse(&d->q[1], "是", &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(survey_answer_parse(&d->q[1], "no", &a), 0);
    assert_int_equal(a, 1);
    assert_int_equal(survey_answer_parse(&d->q[1], "maybe", &a), ERR_INVALID);
    assert_int_equal(survey_answer_parse(&d->q[2], "满意", &a), 0);
    assert_int_equal(a, 1);
    assert_int_equal(survey_answer_parse(&d->q[2], "3", &a), 0); /* by number, 1-based */
    assert_int_equal(a, 2);
    assert_int_equal(survey_answer_parse(&d->q[2], "4", &a), ERR_INVALID);
    assert_int_equal(survey_answer_parse(&d->q[2], "一般", &a), ERR_INVALID);
    free(d);
}

static void test_validate_answers(void **state)
{
    struct survey_def *d = example();
    struct errbuf eb = {{0}};
    int none[4] = {SURVEY_UNANSWERED, SURVEY_UNANSWERED, SURVEY_UNANSWERED, SURVEY_UNANSWERED};
    int bad_rating[4] = {6, 0, 0, 1}, bad_choice[4] = {5, 0, 3, 1}, ok[4] = {5, 0, 2, 1};
    (void)state;
    assert_int_equal(survey_answers_validate(d, none, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "no question"));
    errbuf_clear(&eb); /* the first message set is kept */
    assert_int_equal(survey_answers_validate(d, bad_rating, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'q1'"));
    errbuf_clear(&eb);
    assert_int_equal(survey_answers_validate(d, bad_choice, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'q3'"));
    assert_int_equal(survey_answers_validate(d, ok, &eb), 0);
    free(d);
}

static void test_scores(void **state)
{
    struct survey_def *d = example();
    double s[SURVEY_SCORE_COUNT];
    int all[4] = {4, 1, 1, 5};                  /* 75, 0, 75, (100 with weight 0) */
    int skip[4] = {4, SURVEY_UNANSWERED, 1, 5}; /* q2 not answered */
    int only_zero[4] = {SURVEY_UNANSWERED, SURVEY_UNANSWERED, SURVEY_UNANSWERED, 5};
    (void)state;
    assert_true(survey_answer_score(&d->q[0], 1) == 0);
    assert_true(survey_answer_score(&d->q[0], 5) == 100);
    assert_true(survey_answer_score(&d->q[0], 2) == 25);
    survey_score(d, all, s);
    assert_true(fabs(s[SURVEY_SCORE_SECURITY] - 50) < 1e-9);     /* (2·75 + 0) / 3 */
    assert_true(fabs(s[SURVEY_SCORE_SATISFACTION] - 75) < 1e-9); /* q4 weighs 0 */
    assert_true(fabs(s[SURVEY_SCORE_OVERALL] - 56.25) < 1e-9);   /* (150 + 0 + 75) / 4 */
    survey_score(d, skip, s);
    assert_true(fabs(s[SURVEY_SCORE_SECURITY] - 75) < 1e-9);
    assert_true(fabs(s[SURVEY_SCORE_OVERALL] - 75) < 1e-9); /* (150 + 75) / 3 */
    survey_score(d, only_zero, s);
    for (int k = 0; k < SURVEY_SCORE_COUNT; k++)
        assert_true(isnan(s[k]));
    /* yes/no with reversed scores ("have you been a victim?": no is good) */
    d->q[1].option_score[0] = 0;
    d->q[1].option_score[1] = 100;
    survey_score(d, all, s);
    assert_true(fabs(s[SURVEY_SCORE_SECURITY] - 250.0 / 3.0) < 1e-9);
    free(d);
}

static void test_names(void **state)
{
    enum survey_qtype t;
    enum survey_dimension dim;
    (void)state;
    assert_int_equal(survey_qtype_parse("yesno", &t), 0);
    assert_int_equal(t, SURVEY_YESNO);
    assert_int_equal(survey_qtype_parse("scale", &t), ERR_INVALID);
    assert_int_equal(survey_dimension_parse("satisfaction", &dim), 0);
    assert_int_equal(dim, SURVEY_SATISFACTION);
    assert_int_equal(survey_dimension_parse(NULL, &dim), ERR_INVALID);
    assert_string_equal(survey_qtype_name(SURVEY_CHOICE), "choice");
    assert_string_equal(survey_dimension_name(SURVEY_SECURITY), "security");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),         cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_parse_answers), cmocka_unit_test(test_validate_answers),
        cmocka_unit_test(test_scores),        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
