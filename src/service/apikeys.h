/*
 * apikeys.h - API keys of Open311 clients: issue one per client, check a key a request
 * carries.
 *
 * A key is 32 random bytes in URL-safe base64 behind the prefix "g311_"; it is shown once,
 * when issued, and only its hash is stored (auth_token_hash, as for session tokens), so a
 * copy of the database does not reveal usable keys. A key may be bound to a user account:
 * the client then acts as that user when it posts status updates to cases (the workflow
 * decides what that user may do); an unbound key may only report new requests.
 */
#ifndef GRIDGOV_SERVICE_APIKEYS_H
#define GRIDGOV_SERVICE_APIKEYS_H

#include "base/error.h"
#include "store/store.h"

#include <stdint.h>

#define APIKEY_TEXT_MAX 64 /* bytes of a key as given to the client, with room to spare */

/*
 * Issue a key for client name (1..API_KEY_NAME_MAX bytes of [A-Za-z0-9._-]) bound to user
 * username (NULL: unbound) at now_ms (write). The key is written to key_out
 * (APIKEY_TEXT_MAX + 1 bytes) and never stored. ERR_INVALID for a bad name, ERR_NOT_FOUND for
 * an unknown user, ERR_EXISTS when the name is taken.
 */
int apikey_add(struct store *st, const char *name, const char *username, int64_t now_ms,
               char key_out[APIKEY_TEXT_MAX + 1], struct api_key *out, struct errbuf *eb);

/* The key record for key text; ERR_FORBIDDEN when the key is missing, malformed or unknown. */
int apikey_check(struct store *st, const char *key, struct api_key *out);

#endif
