#pragma once
#include <string>
#include <vector>

namespace cbl {
/// Runs one crossbarlab-cli command; returns the exit status. Bad input throws InputError.
int run_cli(const std::vector<std::string>& args);
} // namespace cbl
