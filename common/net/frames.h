/* SPDX-License-Identifier: Apache-2.0 */
/* frames: one bounded receive of a ZeroMQ multipart message.
 *
 * Every socket that reads multipart messages from a peer it does not
 * trust (the broker's ROUTER, its ZAP handler, a node's control socket)
 * knows how many frames a well-formed message has. frames_recv takes at
 * most that many without waiting, receives and discards the rest of a
 * longer message so that the next read starts at a message boundary, and
 * says so: the caller refuses such a message (or, where a protocol says
 * otherwise, judges it by its first frames). Each frame's size is bounded
 * by the socket (ZMQ_MAXMSGSIZE) and checked by the caller, which knows
 * what each frame holds. */
#ifndef CONCORD_FRAMES_H
#define CONCORD_FRAMES_H

#include <stddef.h>

#include <zmq.h>

/* The most frames any caller keeps of one message. */
#define FRAMES_MAX 8

typedef struct {
    zmq_msg_t part[FRAMES_MAX];
    int n;        /* frames kept, 0..max */
    int too_many; /* the message had more than max frames; the rest were dropped */
} frames_t;

/* Receives the next message waiting on socket (ZMQ_DONTWAIT), keeping its
 * first max frames (1..FRAMES_MAX) in f. Returns the number of frames kept,
 * 0 if no message was waiting. A message with more than max frames is
 * drained to its end and f->too_many set. Whatever it returns, the caller
 * releases f with frames_close. */
int frames_recv(frames_t *f, void *socket, int max);

/* Frame i (0 <= i < f->n): its bytes and size. */
const void *frames_data(frames_t *f, int i);
size_t frames_size(const frames_t *f, int i);

/* 1 if f holds exactly want frames and none were dropped. */
int frames_exact(const frames_t *f, int want);

/* Closes the frames kept; f may be received into again. */
void frames_close(frames_t *f);

#endif
