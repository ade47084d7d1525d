#pragma once
// The layer list as one line a person types (the GUI's Network field), beside its JSON form in
// presets: entries separated by commas, each a kind and its numbers, e.g.
//   conv2d 5x5x32 relu, maxpool2d 2, conv2d 5x5x64 relu, maxpool2d 2, flatten, dense 128 relu,
//   dense 10 lstm 128, dropout 0.15, lstm 128, dropout 0.15, dense 0
// conv2d KxKxC [stride S] [pad P] [relu|sigmoid|tanh]; maxpool2d K [stride S]; dropout RATE;
// flatten; dense N [activation] (N = 0: one output per class); lstm H.
#include "core/network/network_builder.hpp"

#include <string>
#include <vector>

namespace cbl {

/// The layer list written as text (defaults left out: conv stride 1 and pad 0, pool stride = K).
std::string layer_list_text(const std::vector<LayerSpec>& specs);

/// The layer list of `text`; throws InputError naming the entry ("network entry 3, “conv2d 5”:
/// ...") and what it expects. Shapes and value ranges are checked where the network is built.
std::vector<LayerSpec> parse_layer_list(const std::string& text);

} // namespace cbl
