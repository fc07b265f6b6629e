#!/usr/bin/env bash
# A bad configuration is rejected with FILE:LINE before anything starts;
# a good one passes --check.
. "$(dirname "$0")/lib.sh"

cat >"$E2E_TMP/bad.conf" <<'CONF'
log_level = "info";
cores = { main = 0; workers = [ 1 ]; };
ports = (
  {
    name = "p0";
    device = "net_af_packet0,iface=nosuch";
    adress = "198.18.0.2/24";
  }
);
CONF
out=$("$MESHDP" --check -c "$E2E_TMP/bad.conf" 2>&1); rc=$?
[ $rc -ne 0 ] || e2e_fail "--check accepted a bad file"
echo "$out" | grep -q "bad.conf:7: ports\[0\].adress: unknown setting 'adress' (did you mean 'address'?)" ||
	e2e_fail "unexpected --check output: $out"
echo "$out" | grep -q "bad.conf:4: ports\[0\].address: missing" ||
	e2e_fail "missing-address error absent: $out"
e2e_ok "--check: $(echo "$out" | head -1)"

# Running with it fails the same way, without touching EAL or devices.
out=$("$MESHDP" -c "$E2E_TMP/bad.conf" 2>&1); rc=$?
[ $rc -ne 0 ] || e2e_fail "meshdp started with a bad file"
echo "$out" | grep -q "bad.conf:7:" || e2e_fail "run did not report file:line: $out"
echo "$out" | grep -q "EAL" && e2e_fail "EAL started before the configuration was valid"
e2e_ok "run refused the file (exit $rc)"

# Syntax error.
printf 'ports = (\n  { name = "p0" \n' >"$E2E_TMP/syntax.conf"
out=$("$MESHDP" --check -c "$E2E_TMP/syntax.conf" 2>&1) && e2e_fail "syntax error accepted"
echo "$out" | grep -Eq "syntax.conf:[0-9]+: syntax error" || e2e_fail "syntax error output: $out"
e2e_ok "syntax error: $(echo "$out" | head -1)"

# Missing file, no arguments.
out=$("$MESHDP" --check -c "$E2E_TMP/none.conf" 2>&1) && e2e_fail "missing file accepted"
echo "$out" | grep -q "none.conf: cannot read" || e2e_fail "missing file output: $out"
"$MESHDP" >/dev/null 2>&1; [ $? -eq 64 ] || e2e_fail "no arguments should exit 64"
e2e_ok "missing file and usage errors"

# The shipped configurations are valid.
e2e_check "--check conf/demo.conf" "$MESHDP" --check -c "$E2E_TOP/conf/demo.conf"
