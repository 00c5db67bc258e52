/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_json: the JSON form of the dashboard's pages: any reply of
 * the Control service written field by field from its protobuf-c
 * descriptor, so the JSON holds exactly the data the Control API carries
 * (field names as in proto/control.proto; enums by name; bytes as hex;
 * 64-bit numbers as JSON numbers; unset sub-messages as null). */
#ifndef CONCORD_DASHBOARD_JSON_H
#define CONCORD_DASHBOARD_JSON_H

#include <protobuf-c/protobuf-c.h>

#include "json.h"

/* Writes m (NULL: null) as an object under key (NULL inside an array or
 * at the top). */
void dashboard_json_message(json_t *j, const char *key, const ProtobufCMessage *m);

#endif
