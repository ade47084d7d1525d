#pragma once
namespace cbl::ui {
/// The GUI's entry point: `crossbarlab [--preset NAME] [--screenshot FILE.png --steps N]`.
int run_application(int argc, char** argv);
} // namespace cbl::ui
