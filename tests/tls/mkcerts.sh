#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# mkcerts.sh OUTDIR: the certificate matrix of the TLS tests (docs/tls.md,
# "Identities (SPIFFE)"). OpenSSL command line only; EC P-256 keys; prints
# nothing on success. Every file is PEM.
#
#   ca.pem ca.key            root CA of trust domain cluster.local
#   ca2.pem ca2.key          an unrelated root CA
#   inter.pem inter.key      intermediate CA under ca (pathlen 0)
#   NAME.pem NAME.key        leaf certificates; NAME.pem holds the leaf
#                            (and, for chain, the intermediate after it)
#
# Leaves (EKU serverAuth+clientAuth unless noted, signed by ca unless
# noted, URI SAN spiffe://cluster.local/ns/default/sa/NAME unless noted):
#   order payment analytics frontend   valid
#   expired        valid 2020-01-01 .. 2021-01-01 (sa/order)
#   notyet         valid 2049-01-01 .. 2049-12-31 (sa/order)
#   wrongca        signed by ca2 (sa/order)
#   eku-server     EKU serverAuth only: bad as a client (sa/order)
#   eku-client     EKU clientAuth only: bad as a server (sa/order)
#   dns-only       DNS SAN order.default.svc, no URI SAN
#   nul-san        URI SAN "spiffe://cluster.local/ns/default/sa/order\0.evil"
#   two-uri        two URI SANs (sa/order and sa/payment)
#   foreign-td     spiffe://example.org/ns/default/sa/order (signed by ca)
#   mismatch       mismatch.key is not the key of mismatch.pem (sa/order)
#   chain          signed by inter, mismatch-free (sa/chain); chain.pem = leaf + inter
# Self-signed, for the credential checks:
#   p384 ed25519   accepted key types (sa/order)
#   p521 rsa1024   refused key types (sa/order)
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
cd "$out"
log=$(mktemp "${TMPDIR:-/tmp}/mkcerts.XXXXXX")
trap 'rm -f "$log"' EXIT

run() {
	if ! "$@" >>"$log" 2>&1; then
		echo "mkcerts.sh: failed: $*" >&2
		cat "$log" >&2
		exit 1
	fi
}

td=cluster.local
id() { echo "spiffe://$td/ns/default/sa/$1"; }

mkdir -p db
: >db/index.txt
echo 01 >db/serial
cat >ca.cnf <<CNF
[ ca ]
default_ca = this

[ this ]
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ any ]
organizationName = optional
commonName = optional

[ req ]
distinguished_name = dn
prompt = no
[ dn ]
O = $td

[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = \${ENV::MDP_EKU}
authorityKeyIdentifier = keyid
subjectAltName = \${ENV::MDP_SAN}

[ self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = \${ENV::MDP_SAN}
CNF
export OPENSSL_CONF=$PWD/ca.cnf
export MDP_SAN= MDP_EKU=serverAuth,clientAuth

ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)

# root NAME SUBJECT
root() {
	run openssl req -config ca.cnf -x509 "${ec[@]}" -keyout "$1.key" -out "$1.pem" \
		-subj "$2" -days 3650 -extensions root
}

# sign NAME ISSUER SECTION SAN [openssl ca date options]; EKU from $eku
sign() {
	local name=$1 issuer=$2 section=$3 san=$4
	shift 4
	run openssl req -config ca.cnf -new "${ec[@]}" -keyout "$name.key" -out "$name.csr" \
		-subj "/O=$td/CN=$name"
	MDP_SAN=$san MDP_EKU=${eku:-serverAuth,clientAuth} run openssl ca -config ca.cnf -batch -notext -rand_serial \
		-cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" -out "$name.pem" \
		-extfile ca.cnf -extensions "$section" "$@"
	rm -f "$name.csr"
}

days=(-days 3650)

root ca "/O=$td/CN=meshdp test root"
root ca2 "/O=elsewhere/CN=meshdp unrelated root"
sign inter ca inter "" "${days[@]}"

for sa in order payment analytics frontend; do
	sign "$sa" ca leaf "URI:$(id "$sa")" "${days[@]}"
done
sign expired ca leaf "URI:$(id order)" -startdate 200101000000Z -enddate 210101000000Z
sign notyet ca leaf "URI:$(id order)" -startdate 490101000000Z -enddate 491231000000Z
sign wrongca ca2 leaf "URI:$(id order)" "${days[@]}"
eku=serverAuth sign eku-server ca leaf "URI:$(id order)" "${days[@]}"
eku=clientAuth sign eku-client ca leaf "URI:$(id order)" "${days[@]}"
sign dns-only ca leaf "DNS:order.default.svc" "${days[@]}"
sign two-uri ca leaf "URI:$(id order), URI:$(id payment)" "${days[@]}"
sign foreign-td ca leaf "URI:spiffe://example.org/ns/default/sa/order" "${days[@]}"

# GeneralNames { uniformResourceIdentifier [6] IA5String } with a NUL inside,
# as raw DER: the config syntax cannot express the NUL.
hex() { od -An -v -tx1 | tr -d ' \n'; }
uri=$( (printf '%s' "$(id order)"; printf '\0.evil') | hex)
ulen=$(( ${#uri} / 2 ))
der=$(printf '30%02x86%02x%s' $((ulen + 2)) "$ulen" "$uri" | sed 's/../&:/g; s/:$//')
sign nul-san ca leaf "DER:$der" "${days[@]}"

sign mismatch ca leaf "URI:$(id order)" "${days[@]}"
run openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out mismatch.key

sign chain inter leaf "URI:$(id chain)" "${days[@]}"
cat inter.pem >>chain.pem

# self NAME KEYOPTS...
self() {
	local name=$1
	shift
	MDP_SAN="URI:$(id order)" run openssl req -config ca.cnf -x509 "$@" -nodes \
		-keyout "$name.key" -out "$name.pem" -subj "/O=$td/CN=$name" -days 3650 \
		-extensions self
}
self p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384
self ed25519 -newkey ed25519
self p521 -newkey ec -pkeyopt ec_paramgen_curve:P-521
self rsa1024 -newkey rsa:1024

rm -rf db ca.cnf
