#pragma once
// Plain text for character models (seed 002 Fig. 4D-F: character-level language modelling).
// The text is split by position, first 90 % training, next 5 % validation, last 5 % test; its
// characters are bytes, the vocabulary those of the training part (sorted), and a byte of the
// other parts that training never shows becomes one extra "unknown" character. Each part is cut
// into samples of T + 1 consecutive characters starting every T characters (one truncated-BPTT
// window of T steps, each step predicting the next character), stored as their vocabulary
// indices; a sample's label is its last character.
#include "core/dataset/dataset.hpp"

namespace cbl {

/// Where Debian's `fortunes` package installs its plain-text fortune files (the default corpus).
inline constexpr const char* fortunes_dir = "/usr/share/games/fortunes";

/// The split of `text` (named `name` in messages) into windows of `steps` characters; throws
/// InputError when it is empty, not plain text or too short for one window per part.
DataSplit text_split(const std::string& text, int steps, const std::string& name);
/// Reads a plain-text file (the --dataset text:FILE source).
DataSplit load_text_file(const std::string& path, int steps);
/// The default corpus: every fortune file of Debian's `fortunes` in name order.
DataSplit load_fortunes(int steps);

} // namespace cbl
