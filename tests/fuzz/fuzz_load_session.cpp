// libFuzzer target for session loading: whatever bytes a file holds, load_session() must return a
// state or throw InputError; anything else (a crash, a sanitizer report, another exception type,
// a leak, a runaway allocation) is a finding. Built by tests/fuzz/CMakeLists.txt with clang++
// -fsanitize=fuzzer,address,undefined; run by tests/bench/tst_session_fuzz.cpp.
#include "core/common/param_error.hpp"
#include "core/session/session_file.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

/// One scratch file per fuzzing process (parallel jobs must not share it).
const std::string& scratch_path() {
    static const std::string path = [] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir && *dir ? dir : "/tmp") + "/crossbarlab-fuzz-" +
               std::to_string(::getpid()) + ".h5";
    }();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = scratch_path();
    // load_session reads files by name (as the GUI and CLI do), so the input goes to disk.
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    try {
        cbl::SessionInfo info;
        const cbl::ExperimentState st = cbl::load_session(path, &info);
        // Touch what was returned so that a bogus size or pointer would be noticed.
        volatile std::size_t sink = st.arrays.size() + st.history.size() + st.events.size();
        (void)sink;
    } catch (const cbl::InputError&) {
    }
    return 0;
}
