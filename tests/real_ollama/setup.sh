#!/usr/bin/env bash
# Installs the real Ollama builds the integration tests drive (tests/real_ollama.rs),
# into a cache folder outside the repository, and prints one line. Idempotent: a second
# run only checks a stamp. Exits non-zero, with one line saying why, when it cannot
# (no network to PyPI, no C compiler, ...); the tests then skip and say so.
#
#   ollama-0.5.4/  venv with bigdl-core-cpp 2.6.0: Ollama "0.5.4-ipexllm-20250407"
#                  (bigdl/cpp/libs/ollama-lib), its Intel runtime libraries in lib/
#                  (intel-cmplr-lib-rt, intel-openmp), and our SYCL stub swapped in
#   ollama-0.0.0/  venv with bigdl-core-cpp 2.5.0: an older Ollama that says 0.0.0
#   tls/           a test CA and a leaf for registry.ollama.ai and the stand-in CDN
#   upstream/      the model store the stand-in registry serves (upstream.py)
#   real-ollama.env  what the harness reads (tests/support/real_ollama.rs)
#
# The cache: $PROVISION_TEST_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/provision-tests.
# Packages are installed with --no-deps: bigdl-core-cpp's declared dependencies (torch,
# transformers, CUDA wheels: 5 GB) serve its python tools, not the Ollama binary.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${PROVISION_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/provision-tests}
NEW=ollama-0.5.4
OLD=ollama-0.0.0
NEW_VERSION=0.5.4-ipexllm-20250407

fail() {
  echo "real-ollama setup: $*" >&2
  exit 1
}

mkdir -p "$cache" || fail "cannot create the cache folder $cache"
exec 9>"$cache/.setup.lock"
flock 9
log=$cache/setup.log

stamp=$(cat "$0" "$here/sycl_stub.c" "$here/gguf.py" "$here/upstream.py" | sha256sum | cut -c1-16)
if [ -f "$cache/real-ollama.env" ] && grep -qx "stamp=$stamp" "$cache/real-ollama.env"; then
  echo "real-ollama: ready (cached) in $cache"
  exit 0
fi
: >"$log"

# Installs packages into a fresh venv; a venv without its marker is redone.
venv() {
  local dir=$1
  shift
  [ "$(cat "$dir/.installed" 2>/dev/null)" = "$*" ] && return 0
  rm -rf "$dir"
  python3 -m venv "$dir" >>"$log" 2>&1 || fail "python3 -m venv failed (see $log)"
  if ! "$dir/bin/python" -m pip install --no-deps --disable-pip-version-check --retries 1 \
    --timeout 20 "$@" >>"$log" 2>&1; then
    fail "pip could not install $* (offline?): $(grep -m1 '^ERROR' "$log" || tail -n1 "$log")"
  fi
  echo "$*" >"$dir/.installed"
}

libs_of() { echo "$1"/lib/python3*/site-packages/bigdl/cpp/libs; }

# Replaces the Intel-GPU backend by sycl_stub.c, after checking that the stub defines
# every symbol the other libraries of the build take from the real one (listed, while
# the real one is still there, in .sycl-needed).
swap_sycl() {
  local libs=$1 sycl=$1/libollama-ggml-sycl.so
  command -v gcc >/dev/null || fail "gcc is needed to build the SYCL stub"
  if [ ! -f "$libs/.sycl-needed" ]; then
    nm -D --undefined-only "$libs"/ollama-lib "$libs"/libollama*.so | awk '{print $NF}' |
      sort -u | comm -12 - <(nm -D --defined-only "$sycl" | awk '{print $NF}' | sort -u) \
      >"$libs/.sycl-needed.tmp" || fail "nm could not read the Ollama libraries"
    mv "$libs/.sycl-needed.tmp" "$libs/.sycl-needed"
  fi
  gcc -shared -fPIC -O2 -o "$cache/libollama-ggml-sycl.so" "$here/sycl_stub.c" >>"$log" 2>&1 ||
    fail "gcc could not build the SYCL stub (see $log)"
  local missing
  missing=$(comm -23 "$libs/.sycl-needed" <(nm -D --defined-only "$cache/libollama-ggml-sycl.so" |
    awk '{print $NF}' | sort -u))
  [ -z "$missing" ] || fail "the SYCL stub lacks $(echo $missing)"
  mv "$cache/libollama-ggml-sycl.so" "$sycl"
}

tls() {
  local dir=$cache/tls
  [ -f "$dir/leaf.pem" ] && return 0
  command -v openssl >/dev/null || fail "openssl is needed for the stand-in registry's test CA"
  rm -rf "$dir" && mkdir -p "$dir"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=provision test CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/leaf.key" -out "$dir/leaf.csr" -subj /CN=registry.ollama.ai &&
      printf '%s\n' 'subjectAltName=DNS:registry.ollama.ai,DNS:registry-cdn.test' \
        'extendedKeyUsage=serverAuth' 'basicConstraints=critical,CA:FALSE' \
        'keyUsage=critical,digitalSignature' >"$dir/leaf.ext" &&
      openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial 2 \
        -days 3650 -extfile "$dir/leaf.ext" -out "$dir/leaf.pem.tmp" &&
      mv "$dir/leaf.pem.tmp" "$dir/leaf.pem"
  } >>"$log" 2>&1 || fail "openssl could not make the test CA (see $log)"
}

# `ollama -v` without a server: "Warning: client version is X".
client_version() {
  LD_LIBRARY_PATH=$2 "$1" -v 2>&1 | sed -n 's/^Warning: client version is //p'
}

venv "$cache/$NEW" bigdl-core-cpp==2.6.0 intel-cmplr-lib-rt==2025.0.2 intel-openmp==2025.0.2
new_libs=$(libs_of "$cache/$NEW")
[ -x "$new_libs/ollama-lib" ] || fail "bigdl-core-cpp 2.6.0 has no bigdl/cpp/libs/ollama-lib"
swap_sycl "$new_libs"
version=$(client_version "$new_libs/ollama-lib" "$cache/$NEW/lib")
[ "$version" = "$NEW_VERSION" ] || fail "ollama-lib reports version '$version', expected $NEW_VERSION"

venv "$cache/$OLD" bigdl-core-cpp==2.5.0
old_libs=$(libs_of "$cache/$OLD")
# Only `ollama` is used; the package's twenty llama.cpp tools are 300 MB.
find "$old_libs" -maxdepth 1 -type f ! -name ollama -delete
old_version=$(client_version "$old_libs/ollama" "")
[ "$old_version" = 0.0.0 ] || fail "the bigdl-core-cpp 2.5.0 ollama reports '$old_version', expected 0.0.0"

tls
rm -rf "$cache/upstream" "$cache/upstream.tmp"
python3 "$here/upstream.py" --ollama "$new_libs/ollama-lib" --lib "$cache/$NEW/lib" \
  --out "$cache/upstream.tmp" >>"$log" 2>&1 || {
  rm -rf "$cache/upstream.tmp"
  fail "could not build the stand-in registry's models: $(tail -n1 "$log")"
}
mv "$cache/upstream.tmp" "$cache/upstream"

cat >"$cache/real-ollama.env.tmp" <<EOF
ollama=$new_libs/ollama-lib
ollama_lib_path=$cache/$NEW/lib
ollama_version=$version
old_ollama=$old_libs/ollama
old_version=$old_version
ca=$cache/tls/ca.pem
cert=$cache/tls/leaf.pem
key=$cache/tls/leaf.key
upstream=$cache/upstream/models
gguf=$cache/upstream/tiny-f16.gguf
stamp=$stamp
EOF
mv "$cache/real-ollama.env.tmp" "$cache/real-ollama.env"
echo "real-ollama: ready in ${SECONDS} s: Ollama $version and $old_version in $cache"
