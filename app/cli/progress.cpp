#include "app/cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace cbl::cli {

Progress::Progress(std::string label, long long total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(2)),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

namespace {
std::string clock_text(double seconds) {
    const long s = seconds < 0 ? 0 : static_cast<long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}
} // namespace

void Progress::update(long long done, const std::string& detail) {
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    if (done < total_ && since < (tty_ ? 0.1 : 10.0)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? done / elapsed : 0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0;
    const double frac = total_ > 0 ? double(done) / total_ : 1;
    constexpr int width = 28;
    std::string bar(static_cast<std::size_t>(frac * width), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s%s [%s] %3.0f%% %s %.0f %s/s ETA %s%s", tty_ ? "\r" : "",
                 label_.c_str(), bar.c_str(), 100 * frac, detail.c_str(), rate, unit_.c_str(),
                 clock_text(eta).c_str(), tty_ ? "\033[K" : "\n");
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::finish() {
    if (drawn_ && tty_) std::fputc('\n', stderr);
    drawn_ = false;
}

} // namespace cbl::cli
