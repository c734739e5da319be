#!/usr/bin/env bash
# libykpiv's C API (what otasign's piv concern links) against the virtual card.
source "$(dirname "$0")/lib.sh"
probe=${VIRTUAL_PIV_YKPIV_PROBE:-${OTASIGN_BUILD_DIR:-}/tests/virtual-piv/virtual-piv-ykpiv-probe}
[[ -x "$probe" ]] || fail "probe not built: $probe"
export VIRTUAL_PIV_YKPIV_PROBE=$probe
enter_card_session "$@"
"$probe"
