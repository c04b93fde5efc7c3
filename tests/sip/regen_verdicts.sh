#!/bin/sh
# Regenerate the real-Kamailio verdict fixtures (needs root for `ip netns`, and kamailio 5.6).
# Each message is sent by ../shared/tools/msg-oracle to Kamailio running ../shared/tools/probe.cfg
# inside a fresh network namespace with only loopback; a verdict is the reply's status line or SILENT.
# Run from the repository root:  sh tests/sip/regen_verdicts.sh
set -e
C=../shared/sip-corpus
OUT=tests/sip/fixtures
oracle() {  # folder, glob -> "folder/file<TAB>verdict" lines
    ../shared/tools/msg-oracle --only kamailio "$C/$1"/$2 |
        grep ' | ' | sed "s#^\(.*\) | \(.*\)\$#$1/\1\t\2#"
}
{ oracle rfc4475 '*.dat'; oracle rfc4475/archive-extra '*.dat'; oracle rfc5118/wire '*'; } \
    > $OUT/kamailio_verdicts.tsv
# php-sip/stream holds multi-message streams (too big for one datagram): not sent
{ oracle kamailio/misc '*'; oracle kamailio/unit '*'; oracle php-sip/rfc-flows '*'; \
  oracle php-sip/lioneagle '*'; } > $OUT/kamailio_verdicts_more.tsv
wc -l $OUT/kamailio_verdicts.tsv $OUT/kamailio_verdicts_more.tsv
