#pragma once
// A progress bar with rate and ETA on stderr (CLI.md: progress goes to stderr, never stdout).
// On a terminal it redraws one line at most 10 times a second; otherwise (logs, CI) it prints a
// line at most every 10 seconds.
#include <chrono>
#include <string>

namespace cbl::cli {

class Progress {
  public:
    Progress(std::string label, long long total, std::string unit);
    /// Ends the bar's line, also when training stops with an exception (a divergence).
    ~Progress() { finish(); }
    void update(long long done, const std::string& detail = "");
    void finish();

  private:
    std::string label_, unit_;
    long long total_;
    bool tty_;
    std::chrono::steady_clock::time_point start_, last_;
    bool drawn_ = false;
};

} // namespace cbl::cli
