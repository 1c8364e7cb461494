#!/usr/bin/env bash
# The main job on the embedded defaults: create the SQLite database and show the series.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/coinref init
$BIN/coinref series
