#!/bin/sh
# Installs the peers that bench/run.py times rammecalc against, so that anyone can rerun the comparison:
# hledger and ledger from Debian's (or Ubuntu's) packages, beancount from the Python package index into a
# virtualenv of its own (bench/.peers, ignored by git), so that it changes nothing in rammecalc's.
#
#   sh bench/install_peers.sh          # as root, or with sudo at hand
#
# bench/run.py finds them by themselves (hledger and ledger on PATH, bean-check in bench/.peers or on
# PATH) and leaves out any that is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq hledger ledger
else
    echo "install_peers: no apt-get here; install hledger and ledger with your system's packages" >&2
fi
python3 -m venv "$here/.peers"
"$here/.peers/bin/python" -m pip install --quiet --upgrade beancount
echo "installed: $(hledger --version 2>/dev/null | head -1); $(ledger --version 2>/dev/null | head -1);" \
     "beancount $("$here/.peers/bin/python" -c 'import beancount; print(beancount.__version__)')"
