/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deleting a veth costs the kernel 20–40 ms (RCU grace periods in unregister_netdevice,
 * most of it after the rtnl lock is dropped), in the syscall of whoever asks. Done in
 * the event loop it would hold up every other call for that long, so ReleaseNetwork
 * hands its deletion to this thread (its own netlink socket) and answers. Reconcile
 * at start deletes in place: no call is answered yet, they wait in the queue.
 * The main thread asks link_reaper_pending() to see the world as it will be: a link
 * queued here is already gone for every caller. */

#include <pthread.h>
#include <string.h>

#include "log.h"
#include "manager.h"

#define REAPER_QUEUE_MAX 4096

typedef struct Doomed {
        int ifindex;
        char name[IFNAMSIZ];
} Doomed;

struct LinkReaper {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        Netlink *netlink;
        Doomed queue[REAPER_QUEUE_MAX];
        size_t n;      /* queued, including the one being deleted (queue[0]) */
        bool stopping; /* drain, then exit */
};

static void *reaper_main(void *userdata) {
        LinkReaper *r = userdata;

        pthread_mutex_lock(&r->lock);
        for (;;) {
                Doomed d;
                int k;

                while (r->n == 0 && !r->stopping)
                        pthread_cond_wait(&r->wake, &r->lock);
                if (r->n == 0)
                        break;
                d = r->queue[0];
                pthread_mutex_unlock(&r->lock);

                k = link_delete(r->netlink, d.ifindex);
                if (k < 0 && k != -ENODEV)
                        log_warning_errno(k, "Failed to remove %s: %m", d.name);
                else
                        log_debug("Removed %s.", d.name);

                pthread_mutex_lock(&r->lock);
                memmove(r->queue, r->queue + 1, (r->n - 1) * sizeof(Doomed));
                r->n--;
                pthread_cond_broadcast(&r->wake);
        }
        pthread_mutex_unlock(&r->lock);
        return NULL;
}

int link_reaper_new(LinkReaper **ret) {
        LinkReaper *r;
        int k;

        r = calloc(1, sizeof(LinkReaper));
        if (!r)
                return -ENOMEM;
        k = netlink_open(&r->netlink);
        if (k < 0) {
                free(r);
                return k;
        }
        pthread_mutex_init(&r->lock, NULL);
        pthread_cond_init(&r->wake, NULL);
        k = -pthread_create(&r->thread, NULL, reaper_main, r);
        if (k < 0) {
                netlink_free(r->netlink);
                free(r);
                return k;
        }
        *ret = r;
        return 0;
}

/* Waits for every queued deletion: nothing is left half-done when we exit. */
LinkReaper *link_reaper_free(LinkReaper *r) {
        if (!r)
                return NULL;
        pthread_mutex_lock(&r->lock);
        r->stopping = true;
        pthread_cond_broadcast(&r->wake);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->thread, NULL);
        netlink_free(r->netlink);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->wake);
        free(r);
        return NULL;
}

/* -ENOBUFS when the queue is full: then the caller deletes it itself. */
int link_reaper_queue(LinkReaper *r, const LinkInfo *l) {
        int k = -ENOBUFS;

        pthread_mutex_lock(&r->lock);
        if (r->n < REAPER_QUEUE_MAX) {
                r->queue[r->n] = (Doomed){.ifindex = l->ifindex};
                memcpy(r->queue[r->n].name, l->name, sizeof(r->queue[r->n].name));
                r->n++;
                pthread_cond_signal(&r->wake);
                k = 0;
        }
        pthread_mutex_unlock(&r->lock);
        return k;
}

bool link_reaper_wait(LinkReaper *r) {
        bool waited = false;

        pthread_mutex_lock(&r->lock);
        while (r->n > 0) {
                waited = true;
                pthread_cond_wait(&r->wake, &r->lock);
        }
        pthread_mutex_unlock(&r->lock);
        return waited;
}

bool link_reaper_pending(LinkReaper *r, int ifindex) {
        bool found = false;

        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->n && !found; i++)
                found = r->queue[i].ifindex == ifindex;
        pthread_mutex_unlock(&r->lock);
        return found;
}

/* Drops the links queued for deletion from a dump: the view every method answers from. */
void links_drop_pending(LinkReaper *r, LinkInfo *links, size_t *n) {
        size_t k = 0;

        for (size_t i = 0; i < *n; i++)
                if (!link_reaper_pending(r, links[i].ifindex))
                        links[k++] = links[i];
        *n = k;
}
