/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/mdp_http.h"
#include "http/mdp_http_chars.h"

/*
 * Path normalization: one pass, segment by segment. Each segment is
 * decoded into out (unreserved characters decoded, other escapes kept in
 * upper case), then judged on its decoded form, so "%2e%2E" is a "..".
 * out always ends with '/' between segments, which makes merging slashes
 * and removing dot-segments (RFC 3986 5.2.4) a matter of moving o back.
 */

#define E(name)	MDP_HTTP_E_##name

static const char hexu[] = "0123456789ABCDEF";

int
mdp_http_path_normalize(const char *path, size_t len, char *out, size_t cap,
			size_t *out_len)
{
	size_t i = 1, o = 0;

	if (cap == 0)
		return -(int)E(PATH_TOO_LONG);
	out[o++] = '/';
	if (len == 0) {
		*out_len = 1;
		return 0;
	}
	if (path[0] != '/')
		return -(int)E(PATH_INVALID);

	for (;;) {
		size_t seg = o, seg_len;

		while (i < len && path[i] != '/') {
			unsigned char c = (unsigned char)path[i];

			if (c == '%') {
				unsigned v;

				if (len - i < 3 || !mdp_hc(path[i + 1], MDP_HC_HEX) ||
				    !mdp_hc(path[i + 2], MDP_HC_HEX))
					return -(int)E(PATH_PCT);
				v = mdp_hc_hexval(path[i + 1]) << 4 | mdp_hc_hexval(path[i + 2]);
				/* a decoded '/' or '\' would make another path
				 * than the one routed; NUL ends C strings */
				if (v == '/' || v == '\\')
					return -(int)E(PATH_ENC_SLASH);
				if (v == 0)
					return -(int)E(PATH_ENC_NUL);
				if (o + (mdp_hc((unsigned char)v, MDP_HC_UNRES) ? 1 : 3) > cap)
					return -(int)E(PATH_TOO_LONG);
				if (mdp_hc((unsigned char)v, MDP_HC_UNRES)) {
					out[o++] = (char)v;
				} else {
					out[o++] = '%';
					out[o++] = hexu[v >> 4];
					out[o++] = hexu[v & 15];
				}
				i += 3;
				continue;
			}
			if (!mdp_hc(c, MDP_HC_PATH))
				return -(int)E(PATH_INVALID);
			if (o == cap)
				return -(int)E(PATH_TOO_LONG);
			out[o++] = (char)c;
			i++;
		}

		seg_len = o - seg;
		if (seg_len == 1 && out[seg] == '.') {
			o = seg;
		} else if (seg_len == 2 && out[seg] == '.' && out[seg + 1] == '.') {
			/* drop the previous segment; at the root stay there */
			o = seg;
			if (o > 1) {
				o--;
				while (out[o - 1] != '/')
					o--;
			}
		} else if (seg_len >= 2 && out[seg] == '.' &&
			   (out[seg + 1] == ';' || (out[seg + 1] == '.' && seg_len >= 3 &&
						    out[seg + 2] == ';'))) {
			/* ".;x", "..;x": a dot-segment to some servers */
			return -(int)E(PATH_DOT_PARAM);
		}

		if (i == len)
			break;
		/* path[i] == '/': one separator, never two */
		if (out[o - 1] != '/') {
			if (o == cap)
				return -(int)E(PATH_TOO_LONG);
			out[o++] = '/';
		}
		i++;
	}
	*out_len = o;
	return 0;
}
