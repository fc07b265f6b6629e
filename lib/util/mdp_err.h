/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_ERR_H
#define MDP_ERR_H

#include <stddef.h>

/*
 * Write a formatted message into a caller's error buffer (err, errlen), the
 * way every constructor in lib/ reports why it refused: nothing when err is
 * NULL or errlen 0, always NUL-terminated otherwise, cut to fit.
 */
void mdp_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
