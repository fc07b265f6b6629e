/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_UNIT_H
#define MDP_UNIT_H

#include <CUnit/CUnit.h>

/*
 * Run one CUnit suite (a NULL-terminated CU_TestInfo array) with the basic
 * interface and return the process exit code: 0 when every test passed.
 * init/fini may be NULL.
 */
int mdp_cu_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc fini,
	       CU_TestInfo *tests);

#endif
