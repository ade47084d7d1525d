#include "ui/widgets/colormap.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cbl::ui {

namespace {

struct Stop {
    double t;
    int r, g, b;
};

// Control points sampled from the published viridis and magma maps (matplotlib, CC0) and a
// blue-white-red diverging map in the spirit of ColorBrewer's RdBu; linear interpolation
// between 9-11 stops stays within a few levels of the originals.
const std::vector<Stop> viridis_stops = {
    {0.000, 68, 1, 84},    {0.125, 71, 44, 122},  {0.250, 59, 81, 139},
    {0.375, 44, 113, 142}, {0.500, 33, 144, 141}, {0.625, 39, 173, 129},
    {0.750, 92, 200, 99},  {0.875, 170, 220, 50}, {1.000, 253, 231, 37}};
const std::vector<Stop> magma_stops = {
    {0.000, 0, 0, 4},      {0.125, 28, 16, 68},    {0.250, 79, 18, 123},
    {0.375, 129, 37, 129}, {0.500, 181, 54, 122},  {0.625, 229, 80, 100},
    {0.750, 251, 135, 97}, {0.875, 254, 194, 135}, {1.000, 252, 253, 191}};
const std::vector<Stop> diverging_stops = {
    {0.00, 5, 48, 97},     {0.10, 33, 102, 172},  {0.20, 67, 147, 195},  {0.30, 146, 197, 222},
    {0.40, 209, 229, 240}, {0.50, 247, 247, 247}, {0.60, 253, 219, 199}, {0.70, 244, 165, 130},
    {0.80, 214, 96, 77},   {0.90, 178, 24, 43},   {1.00, 103, 0, 31}};

ColorLut build(const std::vector<Stop>& stops) {
    ColorLut lut{};
    for (int i = 0; i < 256; ++i) {
        const double t = i / 255.0;
        std::size_t k = 1;
        while (k + 1 < stops.size() && stops[k].t < t)
            ++k;
        const Stop& a = stops[k - 1];
        const Stop& b = stops[k];
        const double f = std::clamp((t - a.t) / (b.t - a.t), 0.0, 1.0);
        auto mix = [f](int x, int y) { return int(std::lround(x + (y - x) * f)); };
        lut[i] = qRgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
    }
    return lut;
}

} // namespace

const ColorLut& colormap_lut(Colormap map) {
    static const ColorLut viridis = build(viridis_stops);
    static const ColorLut magma = build(magma_stops);
    static const ColorLut diverging = build(diverging_stops);
    switch (map) {
    case Colormap::viridis:
        return viridis;
    case Colormap::magma:
        return magma;
    case Colormap::diverging:
        return diverging;
    }
    return viridis;
}

QString colormap_name(Colormap map) {
    switch (map) {
    case Colormap::viridis:
        return "viridis";
    case Colormap::magma:
        return "magma";
    case Colormap::diverging:
        return "blue-white-red";
    }
    return {};
}

} // namespace cbl::ui
