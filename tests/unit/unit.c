/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "unit.h"

int
mdp_cu_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc fini,
	   CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ (char *)suite, init, fini, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CU_register_suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	if (CU_get_number_of_tests_run() == 0)
		failed++;
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
