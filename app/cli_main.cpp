// crossbarlab-cli: the headless front end (contract in shared/design/CLI.md).
#include "app/cli/commands.hpp"
#include "core/common/param_error.hpp"

#include <iostream>

int main(int argc, char** argv) {
    try {
        return cbl::run_cli(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const cbl::InputError& e) {
        std::cerr << "crossbarlab-cli: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "crossbarlab-cli: error: " << e.what() << "\n";
        return 1;
    }
}
