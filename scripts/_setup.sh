# Shared by scripts/demo and scripts/test: create .venv and install rightsized into it.
# torch is installed first and pinned: any unpinned torch pulled in by another package first
# would be a multi-GB CUDA build. llama-cpp-python compiles llama.cpp on the first install
# (about 7 minutes on 2 cores); pip caches the wheel, so later installs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "rightsized needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 2; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${RIGHTSIZED_EXTRAS:-}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Scans and photos are OCR'd with Tesseract (Debian `tesseract-ocr`, English data included).
# Installed here when we can (root + apt), like scripts/test does for chromium; otherwise one line
# says what scans need, and everything else works.
if ! command -v tesseract >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian tesseract-ocr for scanned documents..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q tesseract-ocr >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr >/dev/null 2>&1; } \
      || echo "could not install tesseract-ocr; scanned PDFs and images will be refused until it is installed" >&2
  else
    echo "scanned PDFs and images need Tesseract: apt-get install tesseract-ocr (or brew install tesseract)" >&2
  fi
fi
