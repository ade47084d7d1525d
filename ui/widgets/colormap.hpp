#pragma once
// 256-entry colour lookup tables for heatmaps (ARCHITECTURE.md: QImage RGB32 + LUT + scanLine).
// Perceptual maps so equal steps in value look like equal steps in colour, also on a projector.
#include <QColor>
#include <QString>

#include <array>

namespace cbl::ui {

using ColorLut = std::array<QRgb, 256>;

enum class Colormap {
    viridis,   ///< sequential, for conductances [uS]
    diverging, ///< blue-white-red, zero in the middle, for weights W
    magma,     ///< sequential, for pulse counts
};

/// The table of a map; built once, shared.
const ColorLut& colormap_lut(Colormap map);
QString colormap_name(Colormap map);

} // namespace cbl::ui
