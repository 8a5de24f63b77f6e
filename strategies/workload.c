/* workload.c: the registry of workloads (workloads.h). */
#include "workload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CB_WORKLOAD(ID, name) extern const struct cb_workload_type cb_workload_##name;
#include "workloads.h"

const struct cb_workload_type *const cb_workload_types[CB_KIND_COUNT] = {
#define CB_WORKLOAD(ID, name) [ID] = &cb_workload_##name,
#include "workloads.h"
};

int cb_workload_find(const char *name)
{
    for (int k = 0; k < CB_KIND_COUNT; k++)
        if (!strcmp(cb_workload_types[k]->name, name))
            return k;
    return -1;
}

const char *cb_workload_names(void)
{
    static const char names[] =
#define CB_WORKLOAD(ID, name) ", " #name
#include "workloads.h"
        ;
    return names + 2;
}

int cb_slots_alloc(const struct cb_workload_type *type, size_t nslots, void **slots)
{
    *slots = type->slot_size ? calloc(nslots ? nslots : 1, type->slot_size) : NULL;
    return type->slot_size && !*slots ? -ENOMEM : 0;
}
