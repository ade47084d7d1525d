#pragma once
namespace cbl::ui {
/// The GUI's entry point (CLI.md): `crossbarlab [SESSION.h5] [--preset NAME]
/// [--screenshot FILE.png --steps N [--view NAME] [--size WxH]] [--sweep FILE.h5] [--threads N]`;
/// --help lists them.
int run_application(int argc, char** argv);
/// The experiment the GUI opens by default: mca-pcm when the presets have it, else fp32.
const char* default_preset();
} // namespace cbl::ui
