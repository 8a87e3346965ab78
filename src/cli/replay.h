/* SPDX-License-Identifier: MIT
 *
 * cli/replay.h - internals of `rviommu replay`, shared by its files:
 *   replay.c         the line loop, op table and model lifecycle
 *   replay_config.c  "reset" config keys -> struct rvm_config
 *   replay_host.c    host callbacks: memory, MSI/WSI/ATS events
 *   replay_ops.c     memory, register, time and ATS-completion ops
 *   replay_xlate.c   translate and page_request
 *   replay_faults.c  drain_faults, done as software would
 * The format is documented in docs/replay.md.
 */
#ifndef RVIOMMU_CLI_REPLAY_H
#define RVIOMMU_CLI_REPLAY_H

#include <jansson.h>
#include <stdio.h>

#include "cli/json_get.h"
#include "rviommu/model.h"
#include "util/physmem.h"

/* The state of one replay run: a model over its own memory. */
struct replay {
	struct rvm *m;
	struct rv_physmem *mem;
	FILE *out;
	struct jget_err err; /* the message of the failing op */
};

/* An op handler: 0, or -1 with r->err set. */
typedef int (*replay_op_fn)(struct replay *r, const json_t *o);

/* (Re)create the model and memory from cfg.  0, or -1 with r->err set. */
int replay_setup(struct replay *r, const struct rvm_config *cfg);
void replay_teardown(struct replay *r);

/* Apply the config keys of a reset line (top-level keys other than "op",
 * and the keys of an optional "config" object) to cfg. */
int replay_parse_config(const json_t *o, struct rvm_config *cfg, struct jget_err *e);

extern const struct rvm_host_ops replay_host_ops;

int replay_op_write_mem(struct replay *r, const json_t *o);
int replay_op_read_mem(struct replay *r, const json_t *o);
int replay_op_mark_mem(struct replay *r, const json_t *o);
int replay_op_write_reg(struct replay *r, const json_t *o);
int replay_op_read_reg(struct replay *r, const json_t *o);
int replay_op_advance(struct replay *r, const json_t *o);
int replay_op_inject(struct replay *r, const json_t *o);
int replay_op_inval_completion(struct replay *r, const json_t *o);
int replay_op_translate(struct replay *r, const json_t *o);
int replay_op_page_request(struct replay *r, const json_t *o);
int replay_op_drain_faults(struct replay *r, const json_t *o);

#endif
