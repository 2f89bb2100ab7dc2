/*
 * api_handlers.h - the handler of every route, one group per resource file. The route table
 * itself (which method and path reaches which handler) is api_routes in api.c.
 */
#ifndef GRIDGOV_API_API_HANDLERS_H
#define GRIDGOV_API_API_HANDLERS_H

#include "api/api.h"

/* api.c */
int api_healthz(struct api_request *req, struct api_response *resp);

/* api_auth.c */
int api_auth_login(struct api_request *req, struct api_response *resp);
int api_auth_logout(struct api_request *req, struct api_response *resp);
int api_me(struct api_request *req, struct api_response *resp);
int api_users_list(struct api_request *req, struct api_response *resp);
int api_users_create(struct api_request *req, struct api_response *resp);
/* api_users.c */
int api_user_disable(struct api_request *req, struct api_response *resp);
int api_user_enable(struct api_request *req, struct api_response *resp);
int api_user_password(struct api_request *req, struct api_response *resp);

/* api_areas.c */
int api_areas_list(struct api_request *req, struct api_response *resp);
int api_area_get(struct api_request *req, struct api_response *resp);
int api_area_geojson(struct api_request *req, struct api_response *resp);
int api_locate(struct api_request *req, struct api_response *resp);

/* api_cases.c */
int api_cases_create(struct api_request *req, struct api_response *resp);
int api_cases_list(struct api_request *req, struct api_response *resp);
int api_case_get(struct api_request *req, struct api_response *resp);
int api_case_act(struct api_request *req, struct api_response *resp);
int api_case_events(struct api_request *req, struct api_response *resp);
int api_attachment_upload(struct api_request *req, struct api_response *resp);
int api_attachment_get(struct api_request *req, struct api_response *resp);
int api_categories(struct api_request *req, struct api_response *resp);
int api_track(struct api_request *req, struct api_response *resp);
int api_departments(struct api_request *req, struct api_response *resp);

/* api_basedata.c: every base-data kind (the kind is read from the path) */
int api_bd_list(struct api_request *req, struct api_response *resp);
int api_bd_create(struct api_request *req, struct api_response *resp);
int api_bd_get(struct api_request *req, struct api_response *resp);
int api_bd_update(struct api_request *req, struct api_response *resp);
int api_bd_delete(struct api_request *req, struct api_response *resp);
int api_bd_export(struct api_request *req, struct api_response *resp);
int api_bd_search(struct api_request *req, struct api_response *resp);
int api_household_file(struct api_request *req, struct api_response *resp);
int api_access_log(struct api_request *req, struct api_response *resp);
/* api_analysis.c */
int api_stats_forecast(struct api_request *req, struct api_response *resp);
int api_stats_hotspots(struct api_request *req, struct api_response *resp);
int api_alerts(struct api_request *req, struct api_response *resp);
/* api_disputes.c */
int api_disputes_create(struct api_request *req, struct api_response *resp);
int api_disputes_list(struct api_request *req, struct api_response *resp);
int api_disputes_stats(struct api_request *req, struct api_response *resp);
int api_dispute_get(struct api_request *req, struct api_response *resp);
int api_dispute_act(struct api_request *req, struct api_response *resp);
int api_dispute_events(struct api_request *req, struct api_response *resp);

/* api_councils.c */
int api_councils_create(struct api_request *req, struct api_response *resp);
int api_councils_list(struct api_request *req, struct api_response *resp);
int api_council_get(struct api_request *req, struct api_response *resp);
int api_council_topics_create(struct api_request *req, struct api_response *resp);
int api_council_topics_list(struct api_request *req, struct api_response *resp);
int api_council_topic_get(struct api_request *req, struct api_response *resp);
int api_council_topic_act(struct api_request *req, struct api_response *resp);
int api_council_meeting(struct api_request *req, struct api_response *resp);
int api_council_ballot(struct api_request *req, struct api_response *resp);
int api_council_topic_events(struct api_request *req, struct api_response *resp);
int api_council_decision(struct api_request *req, struct api_response *resp);
/* api_stats.c */
int api_stats_indicators(struct api_request *req, struct api_response *resp);
int api_public_stats(struct api_request *req, struct api_response *resp);
/* api_open311.c */
int api_open311_base(struct api_request *req, struct api_response *resp);
int api_open311_get(struct api_request *req, struct api_response *resp);
int api_open311_post(struct api_request *req, struct api_response *resp);
int api_open311_service(struct api_request *req, struct api_response *resp);
int api_open311_request(struct api_request *req, struct api_response *resp);
int api_open311_token(struct api_request *req, struct api_response *resp);
int api_open311_media(struct api_request *req, struct api_response *resp);

/* api_fieldwork.c (issue 5) */
int api_patrols_start(struct api_request *req, struct api_response *resp);
int api_patrols_list(struct api_request *req, struct api_response *resp);
int api_patrol_get(struct api_request *req, struct api_response *resp);
int api_patrol_points(struct api_request *req, struct api_response *resp);
int api_patrol_end(struct api_request *req, struct api_response *resp);
int api_visits_create(struct api_request *req, struct api_response *resp);
int api_visits_list(struct api_request *req, struct api_response *resp);
int api_visit_get(struct api_request *req, struct api_response *resp);
int api_visit_rules_get(struct api_request *req, struct api_response *resp);
int api_visit_rules_put(struct api_request *req, struct api_response *resp);
int api_campaigns_create(struct api_request *req, struct api_response *resp);
int api_campaign_get(struct api_request *req, struct api_response *resp);
int api_tasks(struct api_request *req, struct api_response *resp);
int api_station_teams_create(struct api_request *req, struct api_response *resp);
int api_station_teams_list(struct api_request *req, struct api_response *resp);
int api_station_team_get(struct api_request *req, struct api_response *resp);
int api_sessions_create(struct api_request *req, struct api_response *resp);
int api_sessions_list(struct api_request *req, struct api_response *resp);
int api_session_get(struct api_request *req, struct api_response *resp);
int api_compliance(struct api_request *req, struct api_response *resp);

/* api_volunteers.c (issue 5, SPEC section 8) */
int api_skills(struct api_request *req, struct api_response *resp);
int api_volunteers_create(struct api_request *req, struct api_response *resp);
int api_volunteers_list(struct api_request *req, struct api_response *resp);
int api_volunteer_get(struct api_request *req, struct api_response *resp);
int api_volunteer_update(struct api_request *req, struct api_response *resp);
int api_volunteer_delete(struct api_request *req, struct api_response *resp);
int api_volunteer_hours(struct api_request *req, struct api_response *resp);
int api_needs_create(struct api_request *req, struct api_response *resp);
int api_needs_list(struct api_request *req, struct api_response *resp);
int api_need_get(struct api_request *req, struct api_response *resp);
int api_need_matches(struct api_request *req, struct api_response *resp);
int api_need_assign(struct api_request *req, struct api_response *resp);
int api_posts_create(struct api_request *req, struct api_response *resp);
int api_posts_list(struct api_request *req, struct api_response *resp);
int api_post_get(struct api_request *req, struct api_response *resp);
int api_post_members_add(struct api_request *req, struct api_response *resp);
int api_post_hours(struct api_request *req, struct api_response *resp);
int api_chiefs_create(struct api_request *req, struct api_response *resp);
int api_chiefs_list(struct api_request *req, struct api_response *resp);
int api_chief_get(struct api_request *req, struct api_response *resp);
/* api_ratings.c (issue 7, item 4) */
int api_stats_scores(struct api_request *req, struct api_response *resp);
int api_stats_stars(struct api_request *req, struct api_response *resp);
int api_stats_stars_rate(struct api_request *req, struct api_response *resp);
int api_surveys_list(struct api_request *req, struct api_response *resp);
int api_surveys_create(struct api_request *req, struct api_response *resp);
int api_survey_get(struct api_request *req, struct api_response *resp);
int api_survey_respond(struct api_request *req, struct api_response *resp);
int api_survey_results(struct api_request *req, struct api_response *resp);

/* api_metrics.c */
int api_metrics(struct api_request *req, struct api_response *resp);

/* Shared helpers for handlers. */
/* Parse query parameter key as a finite number in [min, max]; absent → ERR_NOT_FOUND
 * (required: 400 naming it). */
int api_query_number(struct api_request *req, struct api_response *resp, const char *key,
                     int required, double min, double max, double *out);
/* Parse query parameter key as an integer in [min, max]; absent → *out = def. */
int api_query_int(struct api_request *req, struct api_response *resp, const char *key, long min,
                  long max, long def, long *out);
/* Parse the body as a JSON object whose keys are all in allowed; on failure the 400 reply
 * is already written. */
int api_body_object(struct api_request *req, struct api_response *resp, const char *const *allowed,
                    json_t **out);
/* Create an empty temporary file for an export in $TMPDIR (else /tmp), named after what
 * ("export", "compliance"); its path into out. The caller deletes it. ERR_IO. */
int api_temp_file(const char *what, char *out, size_t size);
/* Answer 200 with the whole file at path as the body, as an attachment called filename.
 * ERR_TOO_LARGE (answered) when it exceeds the response limit. */
int api_reply_attachment(struct api_response *resp, const char *path, const char *content_type,
                         const char *filename);
/* Answer the failed access_check r (401/403) for area code. */
int api_reply_access(struct api_response *resp, int r, const char *code);

#endif
