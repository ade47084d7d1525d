// crossbarlab-cli: the headless front end (reference: docs/cli.md).
#include "app/cli/commands.hpp"
#include "core/common/param_error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    try {
        const int rc = cbl::run_cli(std::vector<std::string>(argv + 1, argv + argc));
        // A result that never reached its reader (a full disk, a closed pipe) is a failure.
        std::cout.flush();
        if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
            std::cerr << "crossbarlab-cli: cannot write the output to stdout ("
                      << std::strerror(errno) << ")\n";
            return 1;
        }
        return rc;
    } catch (const cbl::InputError& e) {
        std::cerr << "crossbarlab-cli: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "crossbarlab-cli: error: " << e.what() << "\n";
        return 1;
    }
}
