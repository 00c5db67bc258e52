/* SPDX-License-Identifier: Apache-2.0 */
/* frames: one bounded receive of a ZeroMQ multipart message. */
#include "frames.h"

#include <assert.h>

int frames_recv(frames_t *f, void *socket, int max)
{
    assert(max >= 1 && max <= FRAMES_MAX);
    int more = 1;
    f->n = 0;
    f->too_many = 0;
    while (more && f->n < max) {
        zmq_msg_init(&f->part[f->n]);
        if (zmq_msg_recv(&f->part[f->n], socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&f->part[f->n]);
            return f->n;
        }
        more = zmq_msg_more(&f->part[f->n]);
        f->n++;
    }
    /* A message of more frames than any real one: drain it. The rest of a
     * multipart message arrives with its first frame, so nothing waits. */
    while (more) {
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        if (zmq_msg_recv(&extra, socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&extra);
            break;
        }
        f->too_many = 1;
        more = zmq_msg_more(&extra);
        zmq_msg_close(&extra);
    }
    return f->n;
}

const void *frames_data(frames_t *f, int i)
{
    assert(i >= 0 && i < f->n);
    return zmq_msg_data(&f->part[i]);
}

size_t frames_size(const frames_t *f, int i)
{
    assert(i >= 0 && i < f->n);
    return zmq_msg_size((zmq_msg_t *)&f->part[i]);
}

int frames_exact(const frames_t *f, int want)
{
    return f->n == want && !f->too_many;
}

void frames_close(frames_t *f)
{
    for (int i = 0; i < f->n; i++) {
        zmq_msg_close(&f->part[i]);
    }
    f->n = 0;
}
